// Everything the page knows, rebuilt from the feed: every object by kind, and the latest tick.
export const state = {
  site: null,
  kinds: [],
  objects: new Map(), // kind -> Map(namespace/name -> object)
  tick: null,
  previousTick: null,
  resourceVersion: 0,
  changed: new Set(), // kinds changed since the last render
  /** Asks for a render at the next frame (set by main.js): views call it after a click changes what they show. */
  requestRender: () => {},
};

export const keyOf = obj => `${obj.metadata.namespace || 'default'}/${obj.metadata.name}`;

export function objectsOf(kind) {
  return state.objects.get(kind) || new Map();
}

export function pluralOf(kind) {
  return state.kinds.find(k => k.kind === kind)?.plural;
}

export function loadSnapshot(snapshot) {
  state.site = snapshot.site;
  state.kinds = snapshot.kinds;
  state.resourceVersion = snapshot.resourceVersion;
  state.objects = new Map();
  for (const obj of snapshot.objects) put(obj);
  for (const k of state.kinds) state.changed.add(k.kind);
  state.changed.add('Site');
}

export function applyChanges(events) {
  for (const e of events) {
    if (e.type === 'DELETED') objectsOf(e.object.kind).delete(keyOf(e.object));
    else {
      // A watch carries the stored heartbeat time, which may be older than the one the last tick brought.
      const heard = state.tick?.heartbeats?.[e.object.status?.path];
      if (heard && e.object.kind === 'Site' && (!e.object.status.lastHeartbeat || e.object.status.lastHeartbeat < heard)) {
        e.object.status.lastHeartbeat = heard;
      }
      put(e.object);
    }
    state.resourceVersion = Math.max(state.resourceVersion, Number(e.object.metadata.resourceVersion || 0));
    state.changed.add(e.object.kind);
  }
}

export function applyTick(tick) {
  state.previousTick = state.tick;
  state.tick = tick;
  for (const site of objectsOf('Site').values()) {
    const heard = tick.heartbeats[site.status?.path];
    if (heard) site.status.lastHeartbeat = heard;
  }
  state.changed.add('tick');
}

function put(obj) {
  if (!state.objects.has(obj.kind)) state.objects.set(obj.kind, new Map());
  state.objects.get(obj.kind).set(keyOf(obj), obj);
}
