// A range allocator: hands out offsets 0..size-1 of a range, each at most once, and takes them
// back. Kubernetes keeps the same thing as a bitmap (pkg/registry/core/service/allocator) under
// both the ClusterIP allocator and the NodePort allocator; kubelab shares it the same way.
//
// How the next free offset is found matters to users:
// - next-fit (the default): continue after the offset handed out last, wrapping at the end. A
//   Service deleted and created again gets a *new* address, so clients still holding the old one
//   fail loudly instead of reaching whatever takes the address next.
// - random start (Kubernetes' choice, when `random` is given): scan from a random offset, so two
//   API servers allocating at once rarely collide. Inject a seeded random in tests.

export interface RangeAllocatorOptions {
  /** Offsets allocate() never picks (allocateSpecific still may), e.g. the `kubernetes` Service's address. */
  reserved?: Iterable<number>;
  /** When given, each allocate() starts scanning at floor(random() * size). */
  random?: () => number;
}

export class RangeAllocator {
  private readonly used = new Set<number>();
  private readonly reserved: Set<number>;
  private readonly random?: () => number;
  /** Where the next next-fit scan starts. */
  private cursor = 0;

  constructor(
    readonly size: number,
    options: RangeAllocatorOptions = {},
  ) {
    this.reserved = new Set(options.reserved ?? []);
    this.random = options.random;
  }

  /** The number of offsets in use. */
  get usedCount(): number {
    return this.used.size;
  }

  /** How many offsets allocate() could still hand out. */
  get freeCount(): number {
    let reservedFree = 0;
    for (const offset of this.reserved) if (!this.used.has(offset) && offset >= 0 && offset < this.size) reservedFree += 1;
    return this.size - this.used.size - reservedFree;
  }

  has(offset: number): boolean {
    return this.used.has(offset);
  }

  /** Takes `offset`; false when it is already taken. */
  take(offset: number): boolean {
    if (this.used.has(offset)) return false;
    this.used.add(offset);
    return true;
  }

  /** The next free offset, now taken; undefined when every offset is in use. */
  takeNext(): number | undefined {
    const start = this.random ? Math.floor(this.random() * this.size) % this.size : this.cursor;
    for (let step = 0; step < this.size; step += 1) {
      const offset = (start + step) % this.size;
      if (this.used.has(offset) || this.reserved.has(offset)) continue;
      this.used.add(offset);
      this.cursor = (offset + 1) % this.size;
      return offset;
    }
    return undefined;
  }

  /** Gives the offset back; releasing a free offset is a no-op. */
  release(offset: number): void {
    this.used.delete(offset);
  }
}
