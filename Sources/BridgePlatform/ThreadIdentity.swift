/// The calling thread as a number, so an atomic can hold "the driver thread" and a call can ask whether it runs on it.
///
/// `pthread_t` is an integer on Linux and a pointer on Darwin.
package enum ThreadIdentity {
    package static var current: UInt {
        #if canImport(Darwin)
        UInt(bitPattern: pthread_self())
        #else
        UInt(pthread_self())
        #endif
    }
}
