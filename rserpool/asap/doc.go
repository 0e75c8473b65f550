// Package asap is the pool element and pool user side of Reliable Server
// Pooling's Aggregate Server Access Protocol (RFC 5352) over mobisctp's
// SCTP stack.
//
// A pool element (Element) serves a pool: it listens on its own SCTP
// endpoint, registers that endpoint under a pool handle with a registrar
// (the first that answers of a static list and of those heard in Server
// Announces), renews the registration before its lifetime runs out,
// answers the registrar's Endpoint Keep-Alives, moves to the next
// registrar when its registrar fails, and deregisters on Close. Accept
// returns the associations of pool users as UserConns, on which ASAP
// session control (payload protocol identifier 11: Cookie Echo, Business
// Card) is told apart from the application's data.
//
// A pool user (User) resolves pool handles at a registrar, keeping the
// answers in a cache for a configurable time, and reports elements it
// could not reach (Endpoint Unreachable). User.Connect opens a Session: it
// resolves the pool, connects to an element and, when that element fails,
// reports it, fails over to another one, echoes the last cookie the
// element sent so that the new one can restore the session's state, and
// resends what the application has not yet acknowledged.
//
// # No lost messages
//
// A Session keeps every message the application sends until the
// application acknowledges it with Ack, by whatever its own protocol
// counts as done (an echo, a reply, a receipt). After a failover the
// session sends the Cookie Echo first and then every unacknowledged
// message again, in the order they were first sent; the Failover event
// says how many. Delivery is therefore at least once: the new element may
// see a message the old one had already processed, and the cookie is how
// it finds out where the old one stood.
//
// # Transport addresses
//
// RFC 5354's transport parameters give an element's addresses and SCTP
// port, not the UDP port that SCTP over UDP (RFC 6951) also needs. A
// mobisctp pool element therefore uses the same number for both, and pool
// users dial the UDP port equal to the element's SCTP port. NewElement
// refuses an endpoint that breaks this rule; ElementEndpoint opens one
// that keeps it.
//
// Timers default to RSPLIB's values: re-registration every 30 s with a
// registration life three times that, registrar requests answered within
// 3 s, connections to elements within 5 s, a new attempt 250 ms after a
// failover found no element, and a cache time of 5 s
// (ASAP_DEFAULT_CACHE_ELEMENT_TIMEOUT).
//
// # Finding registrars
//
// Elements and users take registrars from a static list, from the Server
// Announces that registrars send by UDP to a multicast group (or any
// address), or both. An Announces listener (ListenAnnounces) keeps the
// registrars it heard within the last 5 s (RSPLIB's default; registrars
// announce every second); the static list is tried first, then those. As
// announces carry a registrar's addresses and SCTP port but not its UDP
// encapsulation port, the listener's configuration gives that port.
package asap
