/// Starts a detached OS thread for work that must block in a system call (read(2), write(2), curl_multi_poll)
/// without holding one of the few Swift concurrency pool threads.
package enum DetachedThread {
    private final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    package static func start(_ body: @escaping @Sendable () -> Void) {
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        let created = pthread_create(&thread, nil, { context in
            #if canImport(Darwin)
            Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
            #else
            guard let context else { return nil }
            Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
            #endif
            return nil
        }, context)
        precondition(created == 0, "could not start a thread: \(created)")
        #if canImport(Darwin)
        if let thread { pthread_detach(thread) }
        #else
        pthread_detach(thread)
        #endif
    }
}
