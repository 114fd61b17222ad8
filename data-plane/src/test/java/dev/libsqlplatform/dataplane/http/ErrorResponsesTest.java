package dev.libsqlplatform.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.HttpRequestMethodNotSupportedException;

/** The lean pipeline path (valve) and Spring MVC (advice) answer every error with the same status and bytes. */
class ErrorResponsesTest {

    @Test
    void valveAndAdviceAnswerAlike() throws Exception {
        List<Exception> errors = List.of(new ApiException(ErrorCode.STREAM_EXPIRED, "the stream has expired"),
                new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "too \"large\""),
                new HttpRequestMethodNotSupportedException("PATCH"), new IllegalStateException("boom"));
        for (Exception e : errors) {
            ResponseEntity<byte[]> advice = new ErrorResponses().handle(e);
            MockHttpServletResponse valve = new MockHttpServletResponse();
            ErrorResponses.write(valve, e);
            assertThat(valve.getStatus()).as("%s", e).isEqualTo(advice.getStatusCode().value());
            assertThat(valve.getContentType()).isEqualTo("application/json");
            assertThat(advice.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(valve.getContentAsByteArray()).as("%s", e).isEqualTo(advice.getBody());
        }
    }

    @Test
    void apiErrorsKeepTheirCodeAndStatus() throws Exception {
        MockHttpServletResponse resp = new MockHttpServletResponse();
        ErrorResponses.write(resp, new ApiException(ErrorCode.TOO_MANY_STREAMS, "too many"));
        assertThat(resp.getStatus()).isEqualTo(429);
        assertThat(resp.getContentAsString(StandardCharsets.UTF_8))
                .isEqualTo("{\"message\":\"too many\",\"code\":\"TOO_MANY_STREAMS\"}");
    }

    @Test
    void unexpectedErrorsAreInternalErrorsWithoutDetails() throws Exception {
        MockHttpServletResponse resp = new MockHttpServletResponse();
        ErrorResponses.write(resp, new IllegalStateException("secret detail"));
        assertThat(resp.getStatus()).isEqualTo(500);
        assertThat(resp.getContentAsString(StandardCharsets.UTF_8))
                .isEqualTo("{\"message\":\"internal error: IllegalStateException\",\"code\":\"INTERNAL_ERROR\"}");
    }

    @Test
    void nothingIsAddedToACommittedResponse() throws Exception {
        MockHttpServletResponse resp = new MockHttpServletResponse();
        resp.getOutputStream().write('{');
        resp.flushBuffer();
        ErrorResponses.write(resp, new ApiException(ErrorCode.BAD_REQUEST, "late"));
        assertThat(resp.getStatus()).isEqualTo(200);
        assertThat(resp.getContentAsString()).isEqualTo("{");
    }
}
