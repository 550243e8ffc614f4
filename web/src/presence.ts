// The person's status: chosen (online, idle, do not disturb, invisible, with an optional
// custom status), and idle set automatically after a while without input, back to what was
// chosen on the next input.
import type { Gateway } from "./gateway";
import { setState, state } from "./store";

/** Minutes without keyboard, pointer or focus before an online person shows as idle. */
export const IDLE_AFTER_MS = 10 * 60 * 1000;

let autoIdle = false;

function activities(custom: string) {
  return custom ? [{ name: "Custom Status", type: 4, state: custom }] : [];
}

/** Chooses a status (and custom status text) and tells the gateway. */
export function choosePresence(gateway: Gateway, status: string, custom: string) {
  setState("status", status);
  setState("customStatus", custom);
  localStorage.setItem("hearth.presence", JSON.stringify({ status, custom }));
  autoIdle = false;
  gateway.setPresence(status, activities(custom));
}

/** The status chosen in this browser before (sent with IDENTIFY). */
export function restorePresence(gateway: Gateway) {
  try {
    const saved = JSON.parse(localStorage.getItem("hearth.presence") ?? "null");
    if (saved && typeof saved.status === "string") {
      setState("status", saved.status);
      setState("customStatus", typeof saved.custom === "string" ? saved.custom : "");
    }
  } catch {
    // Nothing saved.
  }
  gateway.setPresence(state.status, activities(state.customStatus));
}

/** Watches for input; returns the function that stops watching. */
export function startAutoIdle(gateway: Gateway, after = IDLE_AFTER_MS): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = () => {
    if (state.status === "online") {
      autoIdle = true;
      gateway.setPresence("idle", activities(state.customStatus));
    }
  };
  const active = () => {
    if (autoIdle) {
      autoIdle = false;
      gateway.setPresence(state.status, activities(state.customStatus));
    }
    clearTimeout(timer);
    timer = setTimeout(idle, after);
  };
  const events = ["keydown", "pointerdown", "pointermove", "focus", "wheel"] as const;
  for (const e of events) window.addEventListener(e, active, { passive: true });
  active();
  return () => {
    clearTimeout(timer);
    for (const e of events) window.removeEventListener(e, active);
  };
}
