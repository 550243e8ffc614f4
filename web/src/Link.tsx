import { splitProps, type JSX } from "solid-js";
import { navigate } from "./router";

/**
 * A link to one of the client's own paths: followed in place (no page load), unless the person
 * asks for a new tab or window. `onFollow` runs before navigating.
 */
export function Link(props: JSX.AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; onFollow?: () => void }) {
  const [own, rest] = splitProps(props, ["href", "onFollow"]);
  return (
    <a
      {...rest}
      href={own.href}
      onClick={(e) => {
        if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        own.onFollow?.();
        navigate(own.href);
      }}
    />
  );
}
