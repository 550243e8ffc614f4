// The gateway connection (the same Gateway v10 bots use): heartbeats, IDENTIFY, and after a
// network loss RESUME, so the events sent meanwhile are replayed rather than lost. When the
// server cannot resume the session, a new one is identified and the caller is told to fetch
// again what it shows.

type Dispatch = (event: string, data: any) => void;

export interface GatewayHooks {
  dispatch: Dispatch;
  /** The connection state changed. */
  status: (s: "connecting" | "online" | "offline") => void;
  /** A new session began after the old one could not be resumed: reload what is shown. */
  fresh: () => void;
  /** The token was refused: sign out. */
  unauthorized: () => void;
}

const OP = {
  DISPATCH: 0,
  HEARTBEAT: 1,
  IDENTIFY: 2,
  PRESENCE: 3,
  RESUME: 6,
  RECONNECT: 7,
  INVALID_SESSION: 9,
  HELLO: 10,
  ACK: 11,
} as const;

/** Close codes after which trying again cannot help. */
const FATAL = new Set([4004, 4010, 4011, 4012, 4013, 4014]);

/** Closed by the client to resume later (not 1000/1001, which end the session). */
const CLOSE_TO_RESUME = 3000;

export class Gateway {
  private ws: WebSocket | null = null;
  private seq: number | null = null;
  private sessionId: string | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private acked = true;
  private attempts = 0;
  private stopped = false;
  private everReady = false;
  private presence: { status: string; activities: unknown[] } = { status: "online", activities: [] };

  constructor(
    private token: string,
    private hooks: GatewayHooks,
  ) {
    window.addEventListener("offline", this.onOffline);
    window.addEventListener("online", this.onOnline);
  }

  start() {
    this.stopped = false;
    this.open();
  }

  /** Ends the session for good (log out). */
  stop() {
    this.stopped = true;
    window.removeEventListener("offline", this.onOffline);
    window.removeEventListener("online", this.onOnline);
    this.clearTimers();
    this.ws?.close(1000);
    this.ws = null;
  }

  /** Sets this account's status and activities (op 3); also sent on every IDENTIFY. */
  setPresence(status: string, activities: unknown[]) {
    this.presence = { status, activities };
    this.send(OP.PRESENCE, { since: null, activities, status, afk: status === "idle" });
  }

  private onOffline = () => {
    // The network is gone: drop the socket now and resume when it is back.
    this.hooks.status("offline");
    this.drop();
  };

  private onOnline = () => {
    if (this.stopped) return;
    this.attempts = 0;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    if (!this.ws) this.open();
  };

  private clearTimers() {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.retry) clearTimeout(this.retry);
    this.heartbeat = null;
    this.retry = null;
  }

  /** Closes the socket keeping the session resumable, without scheduling a reconnect. */
  private drop() {
    const ws = this.ws;
    this.ws = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      ws.close(CLOSE_TO_RESUME);
    }
  }

  private open() {
    if (this.stopped) return;
    this.hooks.status(this.everReady ? "offline" : "connecting");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/gateway/?v=10&encoding=json`);
    this.ws = ws;
    ws.onmessage = (e) => this.receive(JSON.parse(String(e.data)));
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      if (this.stopped) return;
      if (FATAL.has(e.code)) {
        if (e.code === 4004) this.hooks.unauthorized();
        this.hooks.status("offline");
        return;
      }
      // Codes that end the session server-side: identify anew.
      if (e.code === 4007 || e.code === 4009) this.sessionId = null;
      this.hooks.status("offline");
      this.later();
    };
  }

  /** Tries again with a growing pause (up to 10 s), unless the browser says it is offline. */
  private later() {
    if (this.stopped || this.retry || !navigator.onLine) return;
    const pause = Math.min(10_000, 500 * 2 ** this.attempts) * (0.5 + Math.random() / 2);
    this.attempts += 1;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.open();
    }, pause);
  }

  private send(op: number, d: unknown) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ op, d }));
  }

  private identify() {
    this.send(OP.IDENTIFY, {
      token: this.token,
      properties: { os: navigator.platform || "web", browser: "hearth web", device: "hearth web" },
      presence: { since: null, afk: false, ...this.presence },
    });
  }

  private receive(msg: { op: number; d: any; s?: number | null; t?: string | null }) {
    switch (msg.op) {
      case OP.HELLO: {
        const interval = Number(msg.d?.heartbeat_interval) || 41_250;
        this.acked = true;
        this.heartbeat = setInterval(() => {
          if (!this.acked) {
            // No answer to the last heartbeat: the link is dead; resume on a new one.
            this.drop();
            this.hooks.status("offline");
            this.later();
            return;
          }
          this.acked = false;
          this.send(OP.HEARTBEAT, this.seq);
        }, interval);
        if (this.sessionId) {
          this.send(OP.RESUME, { token: this.token, session_id: this.sessionId, seq: this.seq });
        } else {
          this.identify();
        }
        break;
      }
      case OP.ACK:
        this.acked = true;
        break;
      case OP.HEARTBEAT:
        this.send(OP.HEARTBEAT, this.seq);
        break;
      case OP.RECONNECT:
        this.drop();
        this.open();
        break;
      case OP.INVALID_SESSION:
        // Not resumable: a new session (and everything shown is fetched again on READY).
        if (!msg.d) {
          this.sessionId = null;
          this.seq = null;
        }
        setTimeout(() => (this.sessionId ? this.send(OP.RESUME, {
          token: this.token,
          session_id: this.sessionId,
          seq: this.seq,
        }) : this.identify()), 1000 + Math.random() * 2000);
        break;
      case OP.DISPATCH: {
        if (typeof msg.s === "number") this.seq = msg.s;
        const t = msg.t ?? "";
        if (t === "READY") {
          const again = this.everReady;
          this.sessionId = msg.d.session_id;
          this.everReady = true;
          this.attempts = 0;
          this.hooks.status("online");
          this.hooks.dispatch(t, msg.d);
          if (again) this.hooks.fresh();
          return;
        }
        if (t === "RESUMED") {
          this.attempts = 0;
          this.hooks.status("online");
          return;
        }
        this.hooks.dispatch(t, msg.d);
        break;
      }
    }
  }
}
