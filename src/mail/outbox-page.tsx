/** @jsxImportSource hono/jsx */
/** The local outbox as a page: newest first, links in the text clickable. No script. */
import type { OutboxEntry } from "./outbox";

const URL_PATTERN = /(https?:\/\/[^\s<>"]+)/;

/** The text with its URLs as links (split with a capture group: odd pieces are the URLs). */
function TextWithLinks({ text }: { text: string }) {
  return <>{text.split(URL_PATTERN).map((piece, i) => (i % 2 === 1 ? <a href={piece}>{piece}</a> : piece))}</>;
}

export function outboxPage(messages: OutboxEntry[]) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Local outbox</title>
        <style>{"body{font-family:sans-serif;max-width:50em;margin:2em auto}pre{white-space:pre-wrap}article{border-top:1px solid #ccc}"}</style>
      </head>
      <body>
        <h1>Local outbox</h1>
        <p>Mail this development server would have sent (kept one day), newest first.</p>
        {messages.length === 0 ? <p>No mail yet.</p> : null}
        {messages.map((m) => (
          <article>
            <h2>{m.subject}</h2>
            <p>
              To <strong>{m.to}</strong>, <time datetime={new Date(m.sent * 1000).toISOString()}>{new Date(m.sent * 1000).toISOString()}</time>
            </p>
            <pre>
              <TextWithLinks text={m.text} />
            </pre>
          </article>
        ))}
      </body>
    </html>
  );
}
