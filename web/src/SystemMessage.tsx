// Messages the server posts on its own (Discord's message types): one line, no actions.
import type { Message } from "./api";
import { displayName } from "./store";

const timeLabel = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

/** Whether a message type is a system message this client shows as a line. */
export function isSystem(type: number): boolean {
  return type === 1 || type === 2 || type === 4 || type === 6 || type === 7 || type === 18;
}

/** What a system message says, in words. */
export function systemText(guild: string, m: Message): string {
  const who = displayName(guild, m.author);
  const other = m.mentions?.[0] ? displayName(guild, m.mentions[0]) : "someone";
  switch (m.type) {
    case 1:
      return `${who} added ${other} to the group.`;
    case 2:
      return other === who || !m.mentions?.length ? `${who} left the group.` : `${who} removed ${other} from the group.`;
    case 4:
      return m.content ? `${who} changed the name to ${m.content}.` : `${who} removed the name.`;
    case 6:
      return `${who} pinned a message.`;
    case 7:
      return `${who} joined the server.`;
    case 18:
      return `${who} started a thread: ${m.content}.`;
    default:
      return m.content;
  }
}

/** A system message as one line with its time. */
export function SystemMessage(props: { guild: string; message: Message }) {
  return (
    <article id={`message-${props.message.id}`} class="message system" tabindex="-1" aria-label={systemText(props.guild, props.message)}>
      <p class="system-line">
        <span aria-hidden="true">→ </span>
        {systemText(props.guild, props.message)}{" "}
        <time dateTime={props.message.timestamp}>{timeLabel.format(new Date(props.message.timestamp))}</time>
      </p>
    </article>
  );
}
