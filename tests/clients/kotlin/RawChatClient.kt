import java.util.UUID
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.math.min
import kotlin.random.Random
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.Response
import okhttp3.WebSocket
import okhttp3.WebSocketListener
import org.json.JSONObject

class RawChatClient(
    private val base: String,                    // "wss://chat.example.com"
    private val rooms: List<String>,             // rooms[0] is the room joined at connect
    private val getToken: () -> String,          // a fresh access token, called on every connect
    private val onMessage: (JSONObject) -> Unit
) {
    private val http = OkHttpClient.Builder().pingInterval(30, TimeUnit.SECONDS).build()
    private val timer = Executors.newSingleThreadScheduledExecutor()
    private val lastSeq = ConcurrentHashMap<String, Long>()         // room -> highest seq seen
    private val unacked = ConcurrentHashMap<String, JSONObject>()   // clientMsgId -> send frame
    @Volatile private var ws: WebSocket? = null
    @Volatile private var attempt = 0
    @Volatile private var stopped = false

    fun start() = connect()

    fun post(room: String, text: String): String {
        val id = UUID.randomUUID().toString()
        val frame = JSONObject().put("type", "send").put("room", room).put("message", text).put("clientMsgId", id)
        unacked[id] = frame
        ws?.send(frame.toString())               // not open yet? onOpen sends it
        return id
    }

    fun stop() {
        stopped = true
        ws?.close(1000, null)
        timer.shutdown()
    }

    private fun connect() {
        val home = rooms.first()
        val since = lastSeq[home]?.let { "?since=$it" } ?: ""
        val request = Request.Builder()
            .url("$base/ws/chat/$home$since")
            .header("Authorization", "Bearer ${getToken()}")
            .build()
        ws = http.newWebSocket(request, listener)
    }

    private fun retry() {
        if (stopped) return
        val delay = min(30_000.0, 500.0 * (1 shl min(attempt++, 6))) * (0.5 + Random.nextDouble())  // ±50 % jitter
        timer.schedule(Runnable { connect() }, delay.toLong(), TimeUnit.MILLISECONDS)
    }

    private fun seen(m: JSONObject) {
        lastSeq.merge(m.getString("room"), m.getLong("seq")) { a, b -> maxOf(a, b) }
        onMessage(m)
    }

    private val listener = object : WebSocketListener() {
        override fun onOpen(webSocket: WebSocket, response: Response) {
            attempt = 0
            val home = rooms.first()
            // containsKey, not `in`: ConcurrentHashMap.contains() looks at the values.
            if (!lastSeq.containsKey(home)) webSocket.send(JSONObject().put("type", "history").put("room", home).toString())
            for (room in rooms.drop(1)) {
                val join = JSONObject().put("type", "join").put("room", room)
                lastSeq[room]?.let { join.put("since", it) }
                webSocket.send(join.toString())
            }
            unacked.values.forEach { webSocket.send(it.toString()) }   // same clientMsgId: stored at most once
        }

        override fun onMessage(webSocket: WebSocket, text: String) {
            val f = JSONObject(text)
            when (f.optString("type")) {
                "message" -> seen(f)
                "history" -> {
                    val messages = f.getJSONArray("messages")
                    for (i in 0 until messages.length()) seen(messages.getJSONObject(i))
                    lastSeq.putIfAbsent(f.getString("room"), 0)
                }
                "ack" -> unacked.remove(f.getString("clientMsgId"))
                "error" -> {
                    val id = f.optString("clientMsgId")
                    when (f.getString("code")) {
                        "rate_limited", "unavailable" ->
                            timer.schedule(Runnable { unacked[id]?.let { ws?.send(it.toString()) } }, 1, TimeUnit.SECONDS)
                        else -> if (id.isNotEmpty()) unacked.remove(id)
                    }
                }
                else -> Unit                     // joined, left, pong and unknown types
            }
        }

        override fun onClosing(webSocket: WebSocket, code: Int, reason: String) {
            webSocket.close(1000, null)          // answer the server's close; onClosed follows
        }

        override fun onClosed(webSocket: WebSocket, code: Int, reason: String) = retry()  // 1001, 1008, 1013, …

        override fun onFailure(webSocket: WebSocket, t: Throwable, response: Response?) {
            if (response?.code() == 403) stopped = true   // forbidden_room / forbidden_origin: retrying cannot help
            retry()                              // network errors, 401 (getToken fetches a new one), 503
        }
    }
}
