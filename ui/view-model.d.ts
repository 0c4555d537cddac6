// Types of ui/view-model.js for the TypeScript side (its unit test). The browser loads the .js.

import type { Deployment, Endpoints, KubeObject, Node, Pod, ReplicaSet, Service } from '../lib/api/types.js';

export const DECISION_ANNOTATION: string;
export const GOSSIP_STATE_ANNOTATION: string;

export type PodState = 'ready' | 'running' | 'pending' | 'succeeded' | 'failed' | 'terminating' | 'unknown';
export interface NodeHealth {
  ready: string;
  gossip?: string;
  dead: boolean;
  label: 'Ready' | 'NotReady' | 'dead';
  unschedulable: boolean;
}
export interface PodEntry {
  key: string;
  name: string;
  namespace?: string;
  state: PodState;
  ip?: string;
  nodeName?: string;
}
export interface NodeBox {
  name: string;
  ip?: string;
  subnet?: string;
  health: NodeHealth;
  pods: PodEntry[];
}
export interface ReplicaSetBar {
  name: string;
  revision: number;
  desired: number;
  current: number;
  ready: number;
  images: string[];
}
export interface DeploymentView {
  key: string;
  namespace?: string;
  name: string;
  replicas: number;
  updated: number;
  ready: number;
  available: number;
  strategy: string;
  scale: number;
  replicaSets: ReplicaSetBar[];
}
export interface ServiceView {
  key: string;
  namespace?: string;
  name: string;
  type: string;
  vips: string[];
  nodePorts: { node: string; address: string }[];
  loadBalancer: string[];
  endpointsByNode: { node: string; addresses: { ip: string; pod?: string; ready: boolean; ports: number[] }[] }[];
}
export interface DecisionRowView {
  node: string;
  picked: boolean;
  rejectedBy?: string;
  reasons: string[];
  scores: { raw: number; normalized: number }[];
  total?: number;
}
export interface Decision {
  result?: string;
  picked?: string;
  nodes?: number;
  feasible?: number;
  omitted?: number;
  preFilter?: { plugin: string; reason: string };
  error?: string;
  scorePlugins: { name: string; weight: number }[];
  rows: DecisionRowView[];
  reasons: [string, number][];
  raw: string;
}
export interface DecisionRow {
  key: string;
  namespace?: string;
  name: string;
  nodeName?: string;
  state: PodState;
  unschedulable?: string;
  decision?: Decision;
}
export interface TimelineEvent {
  key: string;
  time?: string;
  type: string;
  reason: string;
  object: string;
  namespace?: string;
  source: string;
  message: string;
  count: number;
}

export function keyOf(obj: KubeObject): string;
export function podState(pod: Pod): PodState;
export function nodeHealth(node: Node): NodeHealth;
export function clusterView(nodes: Node[], pods: Pod[]): { nodes: NodeBox[]; unscheduled: PodEntry[] };
export function workloadsView(deployments: Deployment[], replicaSets: ReplicaSet[]): DeploymentView[];
export function servicesView(services: Service[], endpoints: Endpoints[], nodes: Node[]): ServiceView[];
export function parseDecision(text: string | undefined): Decision | undefined;
export function decisionsView(pods: Pod[]): DecisionRow[];
export function eventTime(event: KubeObject): string | undefined;
export function eventsTimeline(events: KubeObject[], limit?: number): TimelineEvent[];
