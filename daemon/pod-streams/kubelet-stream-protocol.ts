// The contract between the API server and a node's kubelet stream server: how `kubectl logs`,
// `exec` and `port-forward` for a pod on another node travel. Kubernetes' kube-apiserver proxies
// these requests to the kubelet's :10250; kubelab does the same with its own small protocol, and
// this file is the one place both ends (daemon/api/kubelet-client.ts, the caller, and
// daemon/kubelet/kubelet-server.ts, the server) take it from, so neither imports the other.
//
// Endpoints (the real kubelet's paths):
//   GET /containerLogs/{namespace}/{pod}/{container}?podUID&follow&tailLines&timestamps&previous&sinceSeconds&sinceTime&limitBytes
//       → 200 text/plain, the log streamed as it is written.
//   GET /exec/{namespace}/{pod}/{uid}/{container}?command=sh&command=-c&...&stdin=1&stdout=1&stderr=1&tty=1
//   GET /portForward/{namespace}/{pod}/{uid}?port=8080
//       with `Connection: Upgrade`, `Upgrade: kubelab-stream` → 101, then framed streams.
// The caller may send the Pod it already read in `X-Kubelab-Pod` (base64 of its JSON), which
// saves a round trip to the API; otherwise the server asks getPod. A uid that does not match is a
// 404: the pod was deleted and recreated under the same name meanwhile.
// Errors before the upgrade (no such container, container not running, port refused) are HTTP
// answers with a Kubernetes Status body and its code, so the API server passes them on as they are.
//
// After the 101 the connection carries frames (kubelet-stream-frames.ts: channel byte, length,
// payload):
//   exec:          caller → kubelet: STDIN bytes, CLOSE(STDIN) = EOF on stdin, RESIZE {"width","height"}.
//                  kubelet → caller: STDOUT and STDERR bytes, CLOSE(STDOUT), CLOSE(STDERR) when they
//                  end, then EXIT with the exit code (or ERROR with a Status), then the kubelet
//                  ends the connection.
//   port-forward:  one connection per forwarded TCP connection. Caller → pod bytes on STDIN,
//                  pod → caller bytes on STDOUT; CLOSE(STDIN) half-closes towards the pod (the
//                  pod reads EOF and may still answer), CLOSE(STDOUT) says the pod finished
//                  sending. When both directions are closed the kubelet ends the connection; a
//                  failed pod connection is an ERROR frame, then the end.

/** The `Upgrade:` token of an exec or port-forward request; the kubelet answers 101 with it. */
export const KUBELET_STREAM_UPGRADE = 'kubelab-stream';
/** The header that carries the Pod the caller already read (base64 of its JSON). */
export const POD_HEADER = 'x-kubelab-pod';
