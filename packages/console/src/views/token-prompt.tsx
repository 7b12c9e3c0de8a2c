// Asks for the admin read token (or ADMIN_TOKEN) when xds answers 401; kept for this tab only.
import { useState } from 'preact/hooks';

export function TokenPrompt({ hadToken, onToken }: { hadToken: boolean; onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="card token"
      onSubmit={(e) => {
        e.preventDefault();
        onToken(value.trim());
      }}
    >
      <h2>{hadToken ? 'That token was refused' : 'This gateway needs a token to read'}</h2>
      <p class="muted">
        Paste <code>ADMIN_READ_TOKEN</code> (or <code>ADMIN_TOKEN</code>). It stays in this tab's session storage and is sent only as an <code>Authorization</code> header to this origin.
      </p>
      <label>
        Token
        <input type="password" autocomplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} name="token" />
      </label>
      <button type="submit">Connect</button>
    </form>
  );
}
