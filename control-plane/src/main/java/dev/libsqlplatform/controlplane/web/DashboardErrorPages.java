package dev.libsqlplatform.controlplane.web;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.ModelAndView;

/**
 * The dashboard's pages answer failures as a page, not as the API's JSON body: the same {@link ApiError} (status and
 * stable code) and message, rendered by {@code templates/dashboard/error.html}. Named by package (not by type) so
 * that this foundation package still depends on no feature module; ordered before {@link ApiExceptionHandler}.
 */
@ControllerAdvice(basePackages = "dev.libsqlplatform.controlplane.dashboard")
@Order(Ordered.HIGHEST_PRECEDENCE)
class DashboardErrorPages {

    private static final Logger log = LoggerFactory.getLogger(DashboardErrorPages.class);

    @ExceptionHandler(ApiException.class)
    ModelAndView api(ApiException e) {
        return page(e.error(), e.getMessage());
    }

    @ExceptionHandler({MethodArgumentTypeMismatchException.class, IllegalArgumentException.class})
    ModelAndView badRequest(Exception e) {
        return page(ApiError.BAD_REQUEST, "invalid request");
    }

    @ExceptionHandler(Exception.class)
    ModelAndView unexpected(Exception e, HttpServletRequest request) {
        log.error("unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), e);
        return page(ApiError.INTERNAL, "internal error");
    }

    private static ModelAndView page(ApiError error, String message) {
        ModelAndView mav = new ModelAndView("dashboard/error");
        mav.setStatus(error.status());
        mav.addObject("status", error.status().value());
        mav.addObject("code", error.code());
        mav.addObject("message", message);
        return mav;
    }
}
