/** The page at `/` until the dashboard is built: what runs where. */
export function frontPage(info: { mqttPort: number | null; chain: string }): string {
  const mqtt = info.mqttPort === null ? "an external broker" : `MQTT on port ${info.mqttPort}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>XenBlocks platform</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:0 .25rem;border-radius:.25rem}</style>
</head><body>
<h1>XenBlocks platform</h1>
<p>The server is running. Workers connect over ${mqtt} (<code>--platform-mode</code>, client id <code>xenminer_&lt;id&gt;</code>).</p>
<ul>
<li><a href="/healthz"><code>/healthz</code></a> and <a href="/readyz"><code>/readyz</code></a>: liveness and readiness</li>
<li><a href="/metrics"><code>/metrics</code></a>: Prometheus metrics</li>
${info.chain === "embedded" ? '<li><a href="/chain/stats"><code>/chain/stats</code></a>: the embedded chain simulator (workers use <code>--rpcLink</code> to this server)</li>' : ""}
</ul>
<p>The dashboard and the API are not built yet.</p>
</body></html>
`;
}
