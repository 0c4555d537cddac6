// The SPDY/3 header-compression dictionary.
//
// SPDY/3 compresses every header block with zlib, and both ends prime their zlib streams with
// this fixed dictionary of words that headers usually contain, so even the first block is small.
// The two ends must use exactly the same 1423 bytes: a single wrong byte changes the dictionary's
// Adler-32 id and the peer's inflate fails on the first frame ("invalid dictionary").
//
// Source: the SPDY Protocol Draft 3, section 2.6.10.1 "Compression" (Chromium project), the same
// bytes as `headerDictionary` in moby/spdystream spdy/dictionary.go (Apache-2.0, used by kubectl
// through client-go) and key `3` of spdy-transport's lib/spdy-transport/protocol/spdy/dictionary.js
// (MIT). It is written here the way the draft describes it: a list of words, each preceded by its
// length as a 4-byte big-endian integer, followed by a run of raw text without length prefixes.
// sha256 of the result: 51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02.

const lengthPrefixedWords = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset',
  'accept-encoding', 'accept-language', 'accept-ranges', 'age', 'allow', 'authorization',
  'cache-control', 'connection', 'content-base', 'content-encoding', 'content-language',
  'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date',
  'etag', 'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match',
  'if-range', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'pragma',
  'proxy-authenticate', 'proxy-authorization', 'range', 'referer', 'retry-after', 'server', 'te',
  'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public',
  'set-cookie', 'keep-alive', 'origin',
];

const rawTail =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request' +
  '401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented' +
  '503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,' +
  'text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdch' +
  'charset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

function buildDictionary(): Buffer {
  const parts: Buffer[] = [];
  for (const word of lengthPrefixedWords) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(word.length);
    parts.push(length, Buffer.from(word, 'latin1'));
  }
  parts.push(Buffer.from(rawTail, 'latin1'));
  return Buffer.concat(parts);
}

/** The 1423-byte zlib dictionary both SPDY/3 peers prime their header (de)compressors with. */
export const SPDY3_DICTIONARY: Buffer = buildDictionary();
