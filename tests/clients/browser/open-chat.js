function openChat({ base, rooms, getToken, onMessage }) {  // base: "wss://chat.example.com"
  const lastSeq = new Map();   // room -> highest seq seen
  const unacked = new Map();   // clientMsgId -> frame, re-sent after a reconnect
  let ws, attempt = 0, stopped = false;

  const send = (frame) => frame && ws?.readyState === WebSocket.OPEN && ws.send(JSON.stringify(frame));
  const seen = (m) => {
    if (m.seq > (lastSeq.get(m.room) ?? 0)) lastSeq.set(m.room, m.seq);
    onMessage(m);              // key your view by room + seq: a history page may repeat a live message
  };
  const retry = () => {
    if (stopped) return;
    const delay = Math.min(30_000, 500 * 2 ** attempt++) * (0.5 + Math.random());  // ±50 % jitter
    setTimeout(() => connect().catch(retry), delay);
  };

  async function connect() {
    const [home, ...others] = rooms;
    const since = lastSeq.has(home) ? `?since=${lastSeq.get(home)}` : "";
    ws = new WebSocket(`${base}/ws/chat/${home}${since}`, ["rawchat.v1", "bearer." + await getToken()]);
    ws.onopen = () => {
      attempt = 0;
      if (!lastSeq.has(home)) send({ type: "history", room: home });   // first time: fetch the backlog
      for (const room of others)
        send(lastSeq.has(room) ? { type: "join", room, since: lastSeq.get(room) } : { type: "join", room });
      unacked.forEach(send);   // the same clientMsgId: stored at most once
    };
    ws.onmessage = (event) => {
      const f = JSON.parse(event.data);
      if (f.type === "message") seen(f);
      else if (f.type === "history") { f.messages.forEach(seen); if (!lastSeq.has(f.room)) lastSeq.set(f.room, 0); }
      else if (f.type === "ack") unacked.delete(f.clientMsgId);
      else if (f.type === "error") {
        if (f.code === "rate_limited" || f.code === "unavailable") setTimeout(() => send(unacked.get(f.clientMsgId)), 1000);
        else if (f.clientMsgId) unacked.delete(f.clientMsgId);
        console.warn("rawchat", f.code, f.message);
      }                        // joined, left, pong and unknown types: nothing to do
    };
    ws.onclose = retry;        // covers 1001, 1006, 1008 token_expired (getToken fetches a new one), 1013, …
  }

  connect().catch(retry);
  return {
    post(room, text) {
      const frame = { type: "send", room, message: text, clientMsgId: crypto.randomUUID() };
      unacked.set(frame.clientMsgId, frame);
      send(frame);
      return frame.clientMsgId;
    },
    close() { stopped = true; ws?.close(1000); },
  };
}
