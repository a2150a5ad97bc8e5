package io.lambdaplatform.serving.internal;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Jetty's answer to requests it refuses before they reach a route (a malformed URI, an ambiguous
 * path, headers too large): the API's JSON error shape instead of Jetty's HTML page, and never a
 * stack trace or the cause.
 */
public final class JsonErrorHandler extends ErrorHandler {

    public JsonErrorHandler() {
        setShowStacks(false);
        setShowCauses(false);
        setShowMessageInTitle(false);
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        String error = code == 404 ? "not_found" : code >= 500 ? "internal" : "bad_request";
        String body = "{\"error\":\"" + error + "\",\"message\":\"malformed or refused request (HTTP " + code + ")\"}";
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
