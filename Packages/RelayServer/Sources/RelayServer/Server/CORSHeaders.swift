import Hummingbird

/// Adds NIP-11's CORS headers to every HTTP answer.
struct CORSHeaders<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.accessControlAllowHeaders] = "*"
        response.headers[.accessControlAllowMethods] = "GET, OPTIONS"
        return response
    }
}
