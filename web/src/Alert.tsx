import { Show } from "solid-js";

/** An error said in words (nothing when there is none). */
export function Alert(props: { message: string | null | undefined }) {
  return (
    <Show when={props.message}>
      <p class="error" role="alert">
        {props.message}
      </p>
    </Show>
  );
}
