// Test harness for RawChatClient.kt (the client docs/clients.md shows); not part of the document.
// Run by RawChat.Tests/Clients/KotlinClientTests.cs against a real node:
//
//   kotlin -cp CLASSES:okhttp.jar:okio.jar:json.jar MainKt WS_BASE TOKEN ROOM [ROOM ...]
//
// Prints "message <frame>" for every message the client hands to onMessage. Reads commands from
// standard input, one a line: "post ROOM TEXT" posts TEXT and prints "posted <clientMsgId>";
// "stop" (or the end of the input) stops the client and ends the program.
import kotlin.system.exitProcess
import org.json.JSONObject

fun main(args: Array<String>) {
    val base = args[0]
    val token = args[1]
    val out = Any()
    fun say(line: String) = synchronized(out) { println(line); System.out.flush() }

    val client = RawChatClient(base, args.drop(2), { token }, { m: JSONObject -> say("message $m") })
    client.start()
    say("started")
    while (true) {
        val parts = (readLine() ?: break).split(" ", limit = 3)
        if (parts[0] == "stop") break
        if (parts[0] == "post") say("posted ${client.post(parts[1], parts[2])}")
    }

    client.stop()
    exitProcess(0) // OkHttp's dispatcher threads would keep the JVM up for a minute
}
