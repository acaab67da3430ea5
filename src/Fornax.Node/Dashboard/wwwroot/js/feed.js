import { headers, readError } from './api.js';

// The page's one live connection: GET /api/dashboard/events, server-sent events read through fetch (EventSource
// cannot send the Authorization header). On a drop it says so and dials again; a stream that goes quiet for three
// ticks counts as dropped too (a peer that vanished without closing).
export class Feed {
  constructor({ onSnapshot, onChange, onTick, onStatus, onUnauthorized }) {
    Object.assign(this, { onSnapshot, onChange, onTick, onStatus, onUnauthorized });
    this.tickMs = 2000;
    this.retryMs = 500;
    this.controller = null;
  }

  start() {
    this.stop();
    this.connect();
  }

  stop() {
    this.controller?.abort();
    clearTimeout(this.retryTimer);
    clearTimeout(this.watchdog);
  }

  async connect() {
    const controller = new AbortController();
    this.controller = controller;
    let opened = false;
    try {
      const response = await fetch('/api/dashboard/events', { headers: headers({ Accept: 'text/event-stream' }), signal: controller.signal, cache: 'no-store' });
      if (response.status === 401 || response.status === 403) {
        this.onUnauthorized(await readError(response));
        return;
      }
      if (!response.ok) throw await readError(response);
      opened = true;
      this.retryMs = 500;
      this.onStatus('live');
      await this.read(response.body.getReader(), controller);
    } catch (error) {
      if (controller.signal.aborted && this.controller !== controller) return;
      this.lastError = error;
    }
    if (this.controller !== controller) return;
    this.onStatus('lost', opened ? 'the site closed the connection' : (this.lastError?.message || 'the site does not answer'));
    this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 4000);
  }

  async read(reader, controller) {
    const decoder = new TextDecoder();
    let buffer = '';
    this.arm(controller);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      this.arm(controller);
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  arm(controller) {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => controller.abort(), this.tickMs * 3);
  }

  dispatch(block) {
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    const payload = data ? JSON.parse(data) : null;
    if (event === 'snapshot') {
      this.tickMs = payload.tickMs || this.tickMs;
      this.onSnapshot(payload);
    } else if (event === 'change') this.onChange(payload);
    else if (event === 'tick') this.onTick(payload);
    else if (event === 'reset') this.controller.abort();
  }
}
