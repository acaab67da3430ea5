// visits-as — the visits counter (../visits/visits.c) in AssemblyScript, through the state binding
// examples/sdk/fornax.ts (copied next to this file by `npm run build`). Binds the keyspace "visits:" like the C one:
// counts this site's visits and every site's, and lists the sites. GET ?peek only reads.
import { Kv } from "./fornax";

const site = process.env.has("FORNAX_SITE") ? process.env.get("FORNAX_SITE") : "unnamed";
const query = process.env.has("QUERY_STRING") ? process.env.get("QUERY_STRING") : "";
const siteKey = "visits:site:" + site;

let here: i64 = 0, total: i64 = 0;
if (query.includes("peek")) {
  const h = Kv.get(siteKey), t = Kv.get("visits:total");
  here = h == null ? 0 : I64.parseInt(h);
  total = t == null ? 0 : I64.parseInt(t);
} else {
  here = Kv.incr(siteKey);
  total = Kv.incr("visits:total");
  Kv.sadd("visits:sites", site);
}

const sites = Kv.smembers("visits:sites");
let list = "";
for (let i = 0; i < sites.length; i++) list += (i > 0 ? "," : "") + "\"" + sites[i] + "\"";
process.stdout.write("Content-Type: application/json\n\n");
process.stdout.write("{\"site\":\"" + site + "\",\"siteVisits\":" + here.toString() + ",\"totalVisits\":" + total.toString() + ",\"sites\":[" + list + "]}\n");
