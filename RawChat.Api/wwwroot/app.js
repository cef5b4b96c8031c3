// RawChat in the browser: plain JavaScript and the browser's own WebSocket (wire contract:
// docs/protocol.md). One socket, one room at a time; every room visited keeps its
// messages and its highest seq in memory, so coming back to it (or surviving a dropped
// connection) replays exactly what was missed with ?since=, and nothing is shown twice: the
// view is keyed by seq. Message text only ever reaches the page through textContent.
//
// Rooms with members (docs/protocol.md §14): each connection says hello for the "members" feature,
// then reads the room and its member list over the HTTP API (same token, as a Bearer) and keeps
// the list live from member frames; a left frame with a reason says the server took us out. The
// "Your rooms" list is GET /api/me/rooms; a direct message is POST /api/dm, then a switch there.

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const RETRY_POST_MS = 1_000;
const ROOM_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const MEMBER_PAGE = 200;          // the API's largest page of members
const MEMBERS_SHOWN_MAX = 1_000;  // a bigger room shows its first 1,000 members, by user id
const MY_ROOMS_PAGE = 100;
const ROLE_ORDER = { owner: 0, moderator: 1, member: 2 };

const $ = (id) => document.getElementById(id);
const ui = {
  status: $("status"), statusText: $("status-text"), retryNow: $("retry-now"), whoami: $("whoami"),
  disconnect: $("disconnect"), connectView: $("connect-view"), connectForm: $("connect-form"),
  token: $("token"), room: $("room"), connectError: $("connect-error"), chatView: $("chat-view"),
  switchForm: $("switch-form"), switchRoom: $("switch-room"), switchError: $("switch-error"),
  peopleList: $("people-list"), peopleCount: $("people-count"), presenceNote: $("presence-note"),
  roomTitle: $("room-title"), messages: $("messages"), lists: $("message-lists"),
  loadOlder: $("load-older"), historyNote: $("history-note"), notice: $("notice"),
  composer: $("composer"), composerText: $("composer-text"), sendButton: $("send-button"),
  roomInfo: $("room-info"), roomGone: $("room-gone"),
  memberList: $("member-list"), memberCount: $("member-count"), memberNote: $("member-note"),
  myRooms: $("my-rooms"), myRoomsNote: $("my-rooms-note"), myRoomsRefresh: $("my-rooms-refresh"),
  dmForm: $("dm-form"), dmUser: $("dm-user"), dmButton: $("dm-button"), dmError: $("dm-error"),
};

/** room name -> what this page knows of that room. */
const rooms = new Map();
/** clientMsgId -> a post not yet confirmed by its own message frame: { frame, room, li }. */
const unconfirmed = new Map();

let session = null;     // { token, me: { userId, name, exp }, room }
let wanted = false;     // the user wants to be connected (false after Disconnect or a final refusal)
let socket = null;      // the current WebSocket; handlers of any older one are ignored
let attempt = 0;        // reconnect attempts since the last successful open
let retryTimer = 0;
let helloPending = false; // this connection's hello is not answered yet (its unknown_type comes first)

/** userId -> display name, learned from member lists, presence and messages. */
const names = new Map();
/** The rooms of GET /api/me/rooms: { status: "unknown" | "loading" | "ready" | "error", rooms, hasMore, error }. */
let myRooms = { status: "unknown", rooms: [], hasMore: false, error: "" };
let myRoomsLoad = 0;

function roomState(name) {
  let state = rooms.get(name);
  if (!state) {
    const list = document.createElement("ol");
    list.className = "message-list";
    const pendingList = document.createElement("ol");
    pendingList.className = "message-list pending-list";
    state = {
      name, list, pendingList,
      bySeq: new Map(),   // seq -> <li>
      seqs: [],           // shown seqs, ascending
      lastSeq: null,      // highest seq seen, null until something (even an empty history) told us
      historyLoaded: false,
      hasMore: false,
      loadingOlder: false,
      presence: "unknown", // "unknown" | "unsupported" | Map userId -> name
      info: null,          // the room's record from GET /api/rooms/{room}, once read
      // status: "unknown" | "loading" | "ready" | "unavailable" | "error"; map: userId -> role.
      members: { status: "unknown", map: new Map(), truncated: false, live: false, error: "" },
      membersLoad: 0,      // which read of the member list is the latest
      memberFrames: [],    // member frames that came while the list was being read
      gone: null,          // the text of a left frame with a reason: the server took us out
    };
    rooms.set(name, state);
  }
  return state;
}

const current = () => (session ? roomState(session.room) : null);

// ---------------------------------------------------------------- connection

function connect() {
  clearTimeout(retryTimer);
  retryTimer = 0;
  if (!wanted) return;
  ui.retryNow.hidden = true;
  const state = current();
  const params = new URLSearchParams({ room: state.name });
  if (state.lastSeq !== null) params.set("since", String(state.lastSeq));
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  let ws;
  try {
    // The token rides in the subprotocol list: the server selects "rawchat.v1" and never echoes it.
    ws = new WebSocket(`${scheme}//${location.host}/ws/chat?${params}`, ["rawchat.v1", "bearer." + session.token]);
  } catch (error) {
    stop("error", "Cannot open a socket with this token: " + error.message);
    return;
  }
  socket = ws;
  let opened = false;
  setStatus(attempt === 0 ? "connecting" : "reconnecting", attempt === 0 ? "Connecting…" : "Reconnecting…");

  ws.onopen = () => {
    if (socket !== ws) return;
    opened = true;
    attempt = 0;
    setStatus("online", "Connected");
    // First, so that its unknown_type (a server without §14) is the first such error. Its answer
    // starts the read of the member list: every change after that also comes as a member frame.
    helloPending = true;
    send({ type: "hello", features: ["members"] });
    if (!state.historyLoaded) send({ type: "history", room: state.name });
    // Who is online. Servers without presence answer each with error unknown_type (see onError).
    send({ type: "presence", room: state.name });
    send({ type: "presence", room: state.name, subscribe: true });
    // Posts never confirmed go again with the same clientMsgId: the server stores each at most once.
    for (const post of unconfirmed.values()) {
      if (post.room === state.name && !post.failed) send(post.frame);
    }
  };

  ws.onmessage = (event) => {
    if (socket !== ws) return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return; // not ours to judge; the contract promises JSON
    }
    handleFrame(frame);
  };

  ws.onclose = (event) => {
    if (socket !== ws) return; // closed on purpose (disconnect or room switch)
    socket = null;
    state.loadingOlder = false;
    renderHistoryEdge(state);
    if (event.code === 1008 && event.reason === "token_expired") {
      stop("error", "Your token expired. Paste a new one to continue where you left off.");
    } else if (opened) {
      scheduleReconnect(describeClose(event));
    } else {
      checkWhyRefused().then((refusal) => {
        if (socket !== null || !wanted) return;
        if (refusal) stop("error", refusal);
        else scheduleReconnect("Cannot reach the server");
      });
    }
  };
}

/** Jittered exponential backoff: 0.5 s doubling up to 30 s, each wait varied by ±50 %. */
function scheduleReconnect(why) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
  attempt += 1;
  const delay = Math.round(base * (0.5 + Math.random()));
  const seconds = Math.max(1, Math.round(delay / 1000));
  setStatus("reconnecting", `${why}. Reconnecting in ${seconds} s…`);
  ui.retryNow.hidden = false;
  retryTimer = setTimeout(connect, delay);
}

/**
 * A browser never sees why a WebSocket handshake was refused, so ask the REST endpoint, which
 * checks the token and the room the same way: a refusal there is final, anything else is not.
 */
async function checkWhyRefused() {
  try {
    const response = await fetch(`/api/rooms/${encodeURIComponent(session.room)}/messages?limit=1`, {
      headers: { Authorization: "Bearer " + session.token },
      cache: "no-store",
    });
    if (response.status !== 400 && response.status !== 401 && response.status !== 403) return null;
    const body = await response.json().catch(() => ({}));
    if (response.status === 401) return "The server does not accept this token (" + (body.detail || "invalid token") + ").";
    if (response.status === 403) {
      return "You may not use the room “" + session.room + "”: your token does not allow it, or it is private "
        + "and you are not a member (" + scrub(body.detail || body.error || "forbidden") + ").";
    }
    return "The server refused: " + scrub(body.detail || body.error || String(response.status));
  } catch {
    return null; // the server is unreachable: keep trying
  }
}

function describeClose(event) {
  switch (event.code) {
    case 1001: return "The server is restarting";
    case 1011: return "The server had a problem";
    case 1013: return "The connection fell behind";
    case 1008: return "The server closed the connection (" + (event.reason || "policy") + ")";
    default: return "Connection lost";
  }
}

function send(frame) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(frame));
  return true;
}

/** Ends the session's socket without reconnecting; the rooms' state stays for the next connect. */
function stop(state, text) {
  wanted = false;
  clearTimeout(retryTimer);
  retryTimer = 0;
  const ws = socket;
  socket = null;
  ws?.close(1000);
  ui.retryNow.hidden = true;
  setStatus(state, text);
  if (state === "error") showConnectView(text);
}

// ---------------------------------------------------------------- frames

function handleFrame(frame) {
  switch (frame.type) {
    case "message": onMessages([frame]); break;
    case "history": onHistory(frame); break;
    case "ack": onAck(frame); break;
    case "error": onError(frame); break;
    case "presence": onPresence(frame); break;
    case "hello": onHello(frame); break;
    case "member": onMember(frame); break;
    case "left": onLeft(frame); break;
    default: break; // joined, pong and types this page does not know
  }
}

function onMessages(messages, keepBottomDistance = false) {
  const scroll = captureScroll();
  let mine = false;
  let learned = false;
  for (const message of messages) {
    mine = addMessage(message) || mine;
    learned = learnName(message.userId, message.user) || learned;
  }
  restoreScroll(scroll, keepBottomDistance, mine);
  if (learned && session) renderMembers(current());
}

/** Shows a stored message once, in seq order. Returns true when it was a post of this page. */
function addMessage(message) {
  const state = rooms.get(message.room);
  if (!state || typeof message.seq !== "number") return false;
  if (state.lastSeq === null || message.seq > state.lastSeq) state.lastSeq = message.seq;

  let mine = false;
  const post = message.clientMsgId ? unconfirmed.get(message.clientMsgId) : undefined;
  if (post && post.room === message.room && (!session.me.userId || session.me.userId === message.userId)) {
    unconfirmed.delete(message.clientMsgId);
    post.li.remove();
    mine = true;
  }

  if (state.bySeq.has(message.seq)) return mine;
  const li = renderMessage(message);
  const { seqs } = state;
  let index = seqs.length;
  while (index > 0 && seqs[index - 1] > message.seq) index -= 1;
  state.list.insertBefore(li, index < seqs.length ? state.bySeq.get(seqs[index]) : null);
  seqs.splice(index, 0, message.seq);
  state.bySeq.set(message.seq, li);
  groupWithPrevious(li);
  groupWithPrevious(li.nextElementSibling);
  renderHistoryEdge(state);
  return mine;
}

function onHistory(frame) {
  const state = rooms.get(frame.room);
  if (!state || !Array.isArray(frame.messages)) return;
  onMessages(frame.messages, true);
  state.historyLoaded = true;
  state.loadingOlder = false;
  if (state.lastSeq === null) state.lastSeq = 0; // an empty room: reconnects replay from its start
  const first = frame.messages[0];
  // hasMore speaks of what lies before this page's first message; it counts if nothing older is shown.
  if (!first || first.seq <= state.seqs[0]) state.hasMore = Boolean(frame.hasMore) && state.seqs[0] > 1;
  renderHistoryEdge(state);
}

function onAck(frame) {
  const post = unconfirmed.get(frame.clientMsgId);
  if (!post) return;
  post.li.classList.remove("pending");
  post.li.querySelector(".when").textContent = "sent";
  // A duplicate of a message already shown: its own frame will not come again.
  if (rooms.get(post.room)?.bySeq.has(frame.seq)) {
    unconfirmed.delete(frame.clientMsgId);
    post.li.remove();
  }
}

function onError(frame) {
  const state = current();
  if (frame.code === "unknown_type") {
    if (helloPending) {
      // A server older than §14: no hello, no member frames. The member list is read once.
      helloPending = false;
      if (state) loadRoomDetails(state, false);
      return;
    }
    // This page sends no other type the server lacks but "presence": this server has no presence yet.
    if (state && state.presence === "unknown") {
      state.presence = "unsupported";
      renderPresence(state);
    }
    return;
  }
  if (frame.code === "replay_truncated" && frame.room) {
    // Too far behind: the newest messages from fromSeq on follow; older ones come with "load older".
    const behind = rooms.get(frame.room);
    if (behind) {
      behind.list.replaceChildren();
      behind.bySeq.clear();
      behind.seqs = [];
      behind.historyLoaded = true;
      behind.hasMore = frame.fromSeq > 1;
      renderHistoryEdge(behind);
    }
    return;
  }
  const post = frame.clientMsgId ? unconfirmed.get(frame.clientMsgId) : undefined;
  if (post) {
    if (frame.code === "rate_limited" || frame.code === "unavailable") {
      setTimeout(() => unconfirmed.has(frame.clientMsgId) && send(post.frame), RETRY_POST_MS);
      return;
    }
    post.failed = true;
    unconfirmed.delete(frame.clientMsgId);
    post.li.classList.remove("pending");
    post.li.classList.add("failed");
    post.li.querySelector(".when").textContent = "not sent: " + (frame.message || frame.code);
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "link-button";
    dismiss.textContent = "Dismiss";
    dismiss.addEventListener("click", () => post.li.remove());
    post.li.querySelector(".meta").append(dismiss);
    return;
  }
  showNotice(frame.message || frame.code);
}

function onPresence(frame) {
  const state = rooms.get(frame.room);
  if (!state) return;
  if (Array.isArray(frame.users)) {
    state.presence = new Map(frame.users.map((u) => [String(u.userId), u.user]));
    for (const u of frame.users) learnName(u.userId, u.user);
  } else if (frame.event && frame.userId !== undefined) {
    if (!(state.presence instanceof Map)) state.presence = new Map();
    if (frame.event === "join") state.presence.set(String(frame.userId), frame.user);
    else if (frame.event === "leave") state.presence.delete(String(frame.userId));
  }
  if (state === current()) renderPresence(state);
}

// ---------------------------------------------------------------- rooms, members, direct messages

/** Remembers a display name; true when it changed what the page would show. */
function learnName(userId, name) {
  if (userId === undefined || userId === null || typeof name !== "string" || !name) return false;
  const id = String(userId);
  if (name === id && names.has(id)) return false; // an id as a name never hides a real one
  if (names.get(id) === name) return false;
  names.set(id, name);
  return true;
}

const displayName = (userId) => names.get(userId) ?? userId;

function onHello(frame) {
  if (!helloPending) return;
  helloPending = false;
  const state = current();
  if (state) loadRoomDetails(state, Array.isArray(frame.features) && frame.features.includes("members"));
}

function onMember(frame) {
  const state = rooms.get(frame.room);
  if (!state || typeof frame.userId !== "string") return;
  if (state.members.status === "loading") state.memberFrames.push(frame); // applied over the list once read
  else if (state.members.status === "ready") applyMember(state.members, frame);
  if (frame.userId === session.me.userId && frame.event === "added") loadMyRooms();
  if (state === current()) renderMembers(state);
}

/** A member frame over the list: idempotent, so one the list already reflects changes nothing. */
function applyMember(members, frame) {
  const { map } = members;
  if (frame.event === "removed" || frame.event === "banned") {
    map.delete(frame.userId);
  } else if (frame.event === "added" || frame.event === "role") {
    const room = map.has(frame.userId) || map.size < MEMBERS_SHOWN_MAX;
    if (room) map.set(frame.userId, typeof frame.role === "string" ? frame.role : "member");
    else members.truncated = true;
  }
}

/** A left frame with a reason: the server took this page out of the room (§14.5). */
function onLeft(frame) {
  if (!frame.reason) return; // the answer to a leave of ours: this page sends none
  const state = rooms.get(frame.room);
  if (!state) return;
  const name = "#" + frame.room;
  state.gone = frame.reason === "banned" ? `You were banned from ${name}.`
    : frame.reason === "removed" ? `You were removed from ${name}.`
      : frame.reason === "closed" ? `${name} became private, and you are not a member.`
        : `You are no longer in ${name} (${frame.reason}).`;
  state.members = { status: "unknown", map: new Map(), truncated: false, live: false, error: "" };
  state.membersLoad += 1;
  if (state === current()) {
    stop("offline", state.gone); // the socket holds no other room: close it, and do not come back
    showRoom(state);
  }
  loadMyRooms();
}

class ApiError extends Error {
  constructor(status, code, detail) {
    super(`${detail || code}${status ? ` (${code}, HTTP ${status})` : ""}`);
    this.status = status;
    this.code = code;
  }
}

/** Never shows the token, even if a server put it in a detail. */
function scrub(text) {
  const shown = String(text);
  return session && session.token ? shown.split(session.token).join("[token]") : shown;
}

/** One call to the HTTP API with this session's token; a refusal ({"error","detail"}) throws ApiError. */
async function api(method, path, body) {
  const headers = { Authorization: "Bearer " + session.token };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method, headers, cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "unreachable", "The server cannot be reached.");
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    const code = typeof answer?.error === "string" ? answer.error : "http_" + response.status;
    const detail = typeof answer?.detail === "string" ? scrub(answer.detail) : "";
    throw new ApiError(response.status, code, detail);
  }
  return answer ?? {};
}

const roomPath = (room) => "/api/rooms/" + encodeURIComponent(room);

/** Every member, page by page while hasMore, up to MEMBERS_SHOWN_MAX. */
async function readMembers(room) {
  const list = [];
  let after = null;
  let hasMore = true;
  while (hasMore && list.length < MEMBERS_SHOWN_MAX) {
    const query = new URLSearchParams({ limit: String(Math.min(MEMBER_PAGE, MEMBERS_SHOWN_MAX - list.length)) });
    if (after !== null) query.set("after", after);
    const page = await api("GET", `${roomPath(room)}/members?${query}`);
    const batch = Array.isArray(page.members) ? page.members : [];
    list.push(...batch);
    hasMore = Boolean(page.hasMore) && batch.length > 0;
    after = batch.length > 0 ? String(batch[batch.length - 1].userId) : after;
  }
  return { list, truncated: hasMore };
}

/**
 * Reads the room and its members after each connect (member frames are not stored, so a
 * reconnect reads the list again). Member frames that come meanwhile are applied over it.
 */
async function loadRoomDetails(state, live) {
  const load = ++state.membersLoad;
  const mine = session;
  state.memberFrames = [];
  state.members = { ...state.members, status: "loading", live, error: "" };
  renderMembers(state);
  try {
    const [info, read] = await Promise.all([api("GET", roomPath(state.name)), readMembers(state.name)]);
    if (load !== state.membersLoad || session !== mine) return;
    state.info = info;
    const members = { status: "ready", map: new Map(), truncated: read.truncated, live, error: "" };
    for (const m of read.list) {
      const userId = String(m.userId);
      members.map.set(userId, typeof m.role === "string" ? m.role : "member");
      learnName(userId, m.name);
    }
    for (const frame of state.memberFrames) applyMember(members, frame);
    state.memberFrames = [];
    state.members = members;
  } catch (error) {
    if (load !== state.membersLoad || session !== mine) return;
    state.memberFrames = [];
    const unavailable = error instanceof ApiError && error.code === "http_404"; // a server without the rooms API
    state.members = {
      status: unavailable ? "unavailable" : "error", map: new Map(), truncated: false, live,
      error: unavailable ? "" : "Members could not be read: " + error.message,
    };
  }
  renderMembers(state);
  renderRoomInfo(state);
  renderMyRooms();
}

async function loadMyRooms() {
  if (!session) return;
  const load = ++myRoomsLoad;
  const mine = session;
  if (myRooms.status !== "ready") myRooms = { ...myRooms, status: "loading" };
  renderMyRooms();
  try {
    const page = await api("GET", `/api/me/rooms?limit=${MY_ROOMS_PAGE}`);
    if (load !== myRoomsLoad || session !== mine) return;
    myRooms = { status: "ready", rooms: Array.isArray(page.rooms) ? page.rooms : [], hasMore: Boolean(page.hasMore), error: "" };
  } catch (error) {
    if (load !== myRoomsLoad || session !== mine) return;
    const unavailable = error instanceof ApiError && error.code === "http_404";
    myRooms = { status: "error", rooms: [], hasMore: false, error: unavailable ? "Rooms are not available on this server." : "Your rooms could not be read: " + error.message };
  }
  renderMyRooms();
}

/** POST /api/dm, then the page moves to that direct room. */
async function startDirect(userId) {
  const mine = session;
  ui.dmError.hidden = true;
  ui.dmButton.disabled = true;
  try {
    const room = await api("POST", "/api/dm", { userId });
    if (session !== mine) return;
    if (typeof room.room !== "string" || !ROOM_NAME.test(room.room)) throw new ApiError(0, "bad_answer", "The server answered without a room.");
    ui.dmUser.value = "";
    switchRoom(room.room);
    loadMyRooms();
  } catch (error) {
    if (session !== mine) return;
    ui.dmError.textContent = "No direct message: " + error.message;
    ui.dmError.hidden = false;
  } finally {
    ui.dmButton.disabled = false;
  }
}

/** The other member of a direct room, once its member list is read. */
function directPeer(state) {
  if (!state || state.members.status !== "ready") return null;
  for (const userId of state.members.map.keys()) if (userId !== session.me.userId) return userId;
  return null;
}

function renderMembers(state) {
  if (!state || state !== current()) return;
  const { members } = state;
  ui.memberList.replaceChildren();
  ui.memberCount.textContent = "";
  ui.memberNote.classList.toggle("error-note", members.status === "error");
  if (state.gone) {
    ui.memberNote.textContent = "You are not in this room.";
    return;
  }
  if (members.status !== "ready") {
    ui.memberNote.textContent = members.status === "unavailable" ? "Members are not available on this server."
      : members.status === "error" ? members.error
        : "Loading members…";
    return;
  }
  const open = state.info?.kind === "open";
  if (members.map.size === 0) {
    ui.memberNote.textContent = open ? "Open room: anyone may join; it has no members." : "No members.";
    return;
  }
  const direct = state.info?.kind === "direct";
  const people = [...members.map].sort((a, b) =>
    (ROLE_ORDER[a[1]] ?? 3) - (ROLE_ORDER[b[1]] ?? 3) || displayName(a[0]).localeCompare(displayName(b[0])) || (a[0] < b[0] ? -1 : 1));
  for (const [userId, role] of people) {
    const li = document.createElement("li");
    li.dataset.userId = userId;
    li.dataset.role = role;
    const name = document.createElement("span");
    name.className = "member-name";
    name.textContent = displayName(userId);
    li.append(name);
    if (displayName(userId) !== userId) {
      const id = document.createElement("span");
      id.className = "member-id";
      id.textContent = userId;
      li.append(id);
    }
    if (role !== "member") {
      const badge = document.createElement("span");
      badge.className = "role";
      badge.textContent = role;
      li.append(badge);
    }
    if (userId === session.me.userId) {
      const you = document.createElement("span");
      you.className = "you";
      you.textContent = "you";
      li.append(you);
    } else if (!direct) {
      const dm = document.createElement("button");
      dm.type = "button";
      dm.className = "link-button member-dm";
      dm.textContent = "message";
      dm.title = "Direct message to " + displayName(userId);
      dm.addEventListener("click", () => startDirect(userId));
      li.append(dm);
    }
    ui.memberList.append(li);
  }
  ui.memberCount.textContent = String(members.map.size) + (members.truncated ? "+" : "");
  ui.memberNote.textContent = [
    open ? "Open room: anyone may join." : "",
    members.truncated ? `Showing the first ${MEMBERS_SHOWN_MAX.toLocaleString("en")} members.` : "",
    members.live ? "" : "Not kept live by this server.",
  ].filter(Boolean).join(" ");
}

function renderRoomInfo(state) {
  if (!state || state !== current()) return;
  const { info } = state;
  let text = "";
  if (info && typeof info.kind === "string") {
    const peer = info.kind === "direct" ? directPeer(state) : null;
    text = info.kind === "direct" ? (peer ? "Direct messages with " + displayName(peer) : "Direct messages")
      : info.kind === "private" ? "Private room" : "Open room";
    if (typeof info.topic === "string" && info.topic) text += " · " + info.topic;
  }
  ui.roomInfo.textContent = text;
  ui.roomGone.textContent = state.gone ?? "";
  ui.roomGone.hidden = !state.gone;
  ui.composerText.disabled = Boolean(state.gone);
  ui.sendButton.disabled = Boolean(state.gone);
}

function renderMyRooms() {
  ui.myRooms.replaceChildren();
  if (myRooms.status === "error") {
    ui.myRoomsNote.textContent = myRooms.error;
    return;
  }
  if (myRooms.status !== "ready") {
    ui.myRoomsNote.textContent = "Loading…";
    return;
  }
  for (const room of myRooms.rooms) {
    if (typeof room.room !== "string") continue;
    const known = rooms.get(room.room);
    const peer = room.kind === "direct" ? directPeer(known) : null;
    const li = document.createElement("li");
    li.dataset.room = room.room;
    li.dataset.kind = String(room.kind);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "room-link";
    button.textContent = peer ? "@" + displayName(peer) : "#" + room.room;
    button.title = room.room + (room.topic ? " · " + room.topic : "");
    if (session && room.room === session.room) button.setAttribute("aria-current", "true");
    button.addEventListener("click", () => switchRoom(room.room));
    li.append(button);
    if (room.kind !== "open") {
      const kind = document.createElement("span");
      kind.className = "room-kind";
      kind.textContent = room.kind === "direct" ? "direct" : "private";
      li.append(kind);
    }
    ui.myRooms.append(li);
  }
  ui.myRoomsNote.textContent = myRooms.rooms.length === 0 ? "You are a member of no room yet."
    : myRooms.hasMore ? `Your first ${MY_ROOMS_PAGE} rooms.` : "";
}

// ---------------------------------------------------------------- posting

function post(text) {
  const state = current();
  const clientMsgId = newId();
  const frame = { type: "send", room: state.name, message: text, clientMsgId };
  const li = renderMessage({ user: session.me.name, userId: session.me.userId, message: text });
  li.classList.add("pending");
  li.dataset.clientMsgId = clientMsgId;
  li.querySelector(".when").textContent = "sending…";
  state.pendingList.append(li);
  unconfirmed.set(clientMsgId, { frame, room: state.name, li, failed: false });
  ui.messages.scrollTop = ui.messages.scrollHeight;
  send(frame); // offline: it goes when the socket opens again
}

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID(); // secure contexts only (https, localhost)
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------- rendering

function renderMessage(message) {
  const li = document.createElement("li");
  li.className = "message";
  if (typeof message.seq === "number") li.dataset.seq = String(message.seq);
  li.dataset.userId = String(message.userId ?? "");
  if (session.me.userId !== null && message.userId === session.me.userId) li.classList.add("mine");

  const avatar = document.createElement("span");
  avatar.className = "avatar";
  avatar.setAttribute("aria-hidden", "true");
  avatar.textContent = (Array.from(message.user || "?")[0] || "?").toUpperCase();
  avatar.style.setProperty("--hue", String(hue(message.userId ?? message.user ?? "")));

  const meta = document.createElement("div");
  meta.className = "meta";
  const author = document.createElement("span");
  author.className = "author";
  author.textContent = message.user ?? "unknown";
  const when = document.createElement("time");
  when.className = "when";
  if (message.timestamp) {
    when.dateTime = message.timestamp;
    const date = new Date(message.timestamp.replace(/(\.\d{3})\d+/, "$1"));
    when.textContent = formatTime(date);
    when.title = date.toLocaleString();
    li.dataset.time = String(date.getTime());
    li.title = when.title;
  }
  meta.append(author, when);

  const text = document.createElement("div");
  text.className = "text";
  text.textContent = message.message ?? "";

  const body = document.createElement("div");
  body.className = "body";
  body.append(meta, text);
  li.append(avatar, body);
  return li;
}

/** A message right after another of the same person (within 5 minutes) drops its name and avatar. */
function groupWithPrevious(li) {
  if (!li) return;
  const previous = li.previousElementSibling;
  const continued = previous !== null && previous.dataset.userId === li.dataset.userId
    && Number(li.dataset.time) - Number(previous.dataset.time) < 5 * 60_000;
  li.classList.toggle("continued", continued);
}

function formatTime(date) {
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const today = new Date();
  return date.toDateString() === today.toDateString()
    ? time
    : date.toLocaleDateString([], { month: "short", day: "numeric" }) + " " + time;
}

/** A stable colour per person: FNV-1a of the id, so ids differing by one digit still differ in hue. */
function hue(text) {
  let h = 2166136261;
  for (const ch of String(text)) h = Math.imul(h ^ ch.codePointAt(0), 16777619) >>> 0;
  return h % 360;
}

function renderHistoryEdge(state) {
  if (state !== current()) return;
  const canLoad = state.historyLoaded && state.hasMore && state.seqs.length > 0;
  ui.loadOlder.hidden = !canLoad;
  ui.loadOlder.disabled = state.loadingOlder || !socket || socket.readyState !== WebSocket.OPEN;
  ui.loadOlder.textContent = state.loadingOlder ? "Loading…" : "Load older messages";
  ui.historyNote.textContent = !state.historyLoaded || canLoad || state.gone ? ""
    : state.seqs.length === 0 && state.pendingList.childElementCount === 0
      ? "No messages yet. Say hello!"
      : "This is the beginning of #" + state.name + ".";
}

function renderPresence(state) {
  const { presence } = state;
  ui.peopleList.replaceChildren();
  ui.peopleCount.textContent = "";
  if (state.gone) {
    ui.presenceNote.textContent = "";
    return;
  }
  if (presence === "unsupported") {
    ui.presenceNote.textContent = "Presence not available on this server.";
    return;
  }
  if (!(presence instanceof Map)) {
    ui.presenceNote.textContent = "Checking who is here…";
    return;
  }
  const people = [...presence].sort((a, b) => String(a[1]).localeCompare(String(b[1])));
  for (const [userId, name] of people) {
    const li = document.createElement("li");
    li.dataset.userId = userId;
    const dot = document.createElement("span");
    dot.className = "online-dot";
    dot.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.textContent = name ?? userId;
    li.append(dot, label);
    if (userId === session.me.userId) {
      const you = document.createElement("span");
      you.className = "you";
      you.textContent = "you";
      li.append(you);
    }
    ui.peopleList.append(li);
  }
  ui.peopleCount.textContent = String(people.length);
  ui.presenceNote.textContent = people.length === 0 ? "Nobody else is here." : "";
}

function showRoom(state) {
  ui.roomTitle.textContent = "#" + state.name;
  ui.lists.replaceChildren(state.list, state.pendingList);
  ui.switchRoom.value = "";
  document.title = "#" + state.name + " · RawChat";
  history.replaceState(null, "", "#room=" + encodeURIComponent(state.name));
  renderHistoryEdge(state);
  renderPresence(state);
  renderMembers(state);
  renderRoomInfo(state);
  renderMyRooms();
  ui.messages.scrollTop = ui.messages.scrollHeight;
}

function setStatus(state, text) {
  ui.status.dataset.state = state;
  ui.statusText.textContent = text;
  if (session) renderHistoryEdge(current());
}

let noticeTimer = 0;
function showNotice(text) {
  ui.notice.textContent = text;
  ui.notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { ui.notice.hidden = true; }, 6_000);
}

function captureScroll() {
  const el = ui.messages;
  return { fromBottom: el.scrollHeight - el.scrollTop, atBottom: el.scrollHeight - el.scrollTop - el.clientHeight < 60 };
}

function restoreScroll(before, keepBottomDistance, mine) {
  const el = ui.messages;
  if (before.atBottom || mine) el.scrollTop = el.scrollHeight;
  else if (keepBottomDistance) el.scrollTop = el.scrollHeight - before.fromBottom; // older messages went in above
}

function showConnectView(error) {
  ui.chatView.hidden = true;
  ui.connectView.hidden = false;
  ui.disconnect.hidden = true;
  ui.whoami.hidden = true;
  ui.connectError.hidden = !error;
  ui.connectError.textContent = error || "";
  if (session) ui.room.value = session.room;
}

// ---------------------------------------------------------------- tokens and forms

/** Reads the token's claims for display only; the server is what validates it. */
function readToken(raw) {
  const token = raw.trim().replace(/^bearer\s+/i, "");
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]*$/.test(p)) || !parts[0] || !parts[1]) {
    return { error: "That does not look like a JWT (three base64url parts separated by dots)." };
  }
  try {
    const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(parts[1].length / 4) * 4, "=");
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))));
    const id = claims.user_id ?? claims.sub;
    const userId = id === undefined || id === null ? null : String(id);
    const name = claims.name ?? claims.username ?? claims.preferred_username ?? userId ?? "you";
    if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) {
      return { error: "This token has expired. Mint a new one." };
    }
    return { token, me: { userId, name: String(name), exp: claims.exp } };
  } catch {
    return { error: "That token's claims cannot be read." };
  }
}

function start(token, me, room) {
  if (socket) stop("offline", "Not connected");
  if (session && session.me.userId !== me.userId) {
    // Another person: nothing of the previous one's rooms or unsent posts carries over.
    rooms.clear();
    unconfirmed.clear();
    names.clear();
  }
  myRooms = { status: "unknown", rooms: [], hasMore: false, error: "" };
  if (me.userId !== null) learnName(me.userId, me.name); // our own name, as the token has it
  session = { token, me, room };
  wanted = true;
  sessionStorage.setItem("rawchat.token", token);
  localStorage.setItem("rawchat.room", room);
  ui.whoami.textContent = "Signed in as " + me.name + (me.userId !== null ? " (" + me.userId + ")" : "");
  if (me.exp) ui.whoami.title = "Token expires " + new Date(me.exp * 1000).toLocaleString();
  ui.whoami.hidden = false;
  ui.disconnect.hidden = false;
  ui.connectView.hidden = true;
  ui.chatView.hidden = false;
  attempt = 0;
  showRoom(roomState(room));
  connect();
  loadMyRooms();
  ui.composerText.focus();
}

function switchRoom(room) {
  const state = roomState(room);
  if (room === session.room && !state.gone) return;
  const ws = socket;
  socket = null; // its close is on purpose: no reconnect
  ws?.close(1000);
  session.room = room;
  localStorage.setItem("rawchat.room", room);
  attempt = 0;
  wanted = true; // also after the server took this page out of its last room
  state.gone = null; // try again: the user may have been added back
  showRoom(state);
  connect();
}

ui.connectForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const read = readToken(ui.token.value);
  const room = ui.room.value.trim();
  const error = read.error ?? (ROOM_NAME.test(room) ? null : "Room names are 1–64 letters, digits or _ . : -");
  if (error) {
    showConnectView(error);
    return;
  }
  start(read.token, read.me, room);
});

ui.switchForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const room = ui.switchRoom.value.trim();
  ui.switchError.hidden = ROOM_NAME.test(room);
  ui.switchError.textContent = ROOM_NAME.test(room) ? "" : "Room names are 1–64 letters, digits or _ . : -";
  if (ROOM_NAME.test(room)) switchRoom(room);
});

ui.dmForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const userId = ui.dmUser.value.trim();
  if (!userId) {
    ui.dmError.textContent = "Enter the user id of the person to message.";
    ui.dmError.hidden = false;
    return;
  }
  startDirect(userId);
});

ui.dmUser.addEventListener("input", () => { ui.dmError.hidden = true; });
ui.myRoomsRefresh.addEventListener("click", () => loadMyRooms());

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = ui.composerText.value;
  if (!text.trim()) return;
  post(text);
  ui.composerText.value = "";
  autosize();
});

ui.composerText.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});

function autosize() {
  ui.composerText.style.height = "auto";
  ui.composerText.style.height = Math.min(ui.composerText.scrollHeight, 160) + "px";
}
ui.composerText.addEventListener("input", autosize);

ui.loadOlder.addEventListener("click", () => {
  const state = current();
  if (!state.seqs.length || state.loadingOlder) return;
  if (send({ type: "history", room: state.name, before: state.seqs[0] })) {
    state.loadingOlder = true;
    renderHistoryEdge(state);
  }
});

ui.retryNow.addEventListener("click", () => !socket && connect());
ui.disconnect.addEventListener("click", () => {
  stop("offline", "Not connected");
  sessionStorage.removeItem("rawchat.token");
  ui.token.value = "";
  showConnectView("");
});

// Back online: no need to wait out the backoff.
window.addEventListener("online", () => !socket && retryTimer && connect());

// Prefill from the last visit: the room from #room=… or localStorage, the token from this tab.
{
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("room");
  const room = fromHash || localStorage.getItem("rawchat.room");
  if (room && ROOM_NAME.test(room)) ui.room.value = room;
  const saved = sessionStorage.getItem("rawchat.token");
  if (saved) {
    ui.token.value = saved;
    const read = readToken(saved);
    if (!read.error) start(read.token, read.me, ui.room.value);
  }
}

// For trying the reconnect by hand (and for the end-to-end test): drop the socket as a network
// failure would, without telling the page, which then reconnects with ?since=.
window.rawchat = Object.freeze({
  dropConnection() {
    socket?.close(4000, "dropped by hand");
  },
});
