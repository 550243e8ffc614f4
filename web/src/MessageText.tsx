/** A message's text. */
export function MessageText(props: { guild: string; content: string }) {
  return <span class="plain" data-guild={props.guild}>{props.content}</span>;
}
