package dev.relay.local.sandbox;

import java.io.PrintStream;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** Tells the person who started relay-local where the sandbox is and how to send it a first event. */
@Component
class SandboxAnnouncer {

    private final Environment environment;

    SandboxAnnouncer(Environment environment) {
        this.environment = environment;
    }

    @EventListener
    void onReady(ApplicationReadyEvent ready) {
        int port = ready.getApplicationContext() instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort() : environment.getProperty("server.port", Integer.class, 8080);
        String sandbox = environment.getProperty(SandboxEnvironmentPostProcessor.ACTIVE);
        PrintStream out = System.out;
        out.println();
        out.println("Relay is running on http://127.0.0.1:" + port
                + "  (broker: POST /broker, recent events: GET /broker/events)");
        if (sandbox != null) {
            out.println("Sandbox: " + sandbox + " (config repository " + sandbox + "/config.git, pipeline "
                    + LocalSandbox.APP + ")");
            out.println("Bump web-app in development with:");
            out.println();
            out.println("  " + LocalSandbox.curlCommand(port));
            out.println();
            out.println("then: git --git-dir=" + sandbox + "/config.git log -p -1   and   curl -s http://127.0.0.1:"
                    + port + "/broker/events");
            out.println();
            out.println("Build the sample app (" + sandbox + "/web-app-src.git) into an OCI image under " + sandbox
                    + "/images with:");
            out.println();
            LocalSandbox local = new LocalSandbox(java.nio.file.Path.of(sandbox));
            out.println("  " + local.pushCurlCommand(port));
            out.println();
            out.println("Approve (or, with \"decision\":\"reject\", reject) a pending production promotion as approver '"
                    + LocalSandbox.APPROVER + "' with:");
            out.println();
            out.println("  curl -i http://127.0.0.1:" + port + "/approvals -H \"Authorization: Bearer $(cat "
                    + local.approverToken() + ")\" -H 'Content-Type: application/json' -d '{\"app\":\""
                    + LocalSandbox.APP + "\",\"environment\":\"production\",\"digest\":\"sha256:<digest>\"}'");
        }
        out.flush();
    }
}
