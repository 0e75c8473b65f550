package simnet

// Counters count datagrams on one link, or on all of them. A datagram is
// either dropped once, for one reason, or delivered once per copy.
type Counters struct {
	Sent       uint64 // datagrams offered by senders
	Delivered  uint64 // copies that arrived at an open socket, duplicates included
	Duplicated uint64 // extra copies made by the link
	Reordered  uint64 // copies held back by ReorderDelay
	Filtered   uint64 // dropped by a filter
	LinkDown   uint64 // dropped because the link was down
	QueueFull  uint64 // dropped because the link's queue was full
	Lost       uint64 // dropped at random (LinkProps.Loss)
	NoListener uint64 // arrived where no socket listened
}

// Dropped returns the number of datagrams dropped, for any reason.
func (c Counters) Dropped() uint64 {
	return c.Filtered + c.LinkDown + c.QueueFull + c.Lost + c.NoListener
}

// InFlight returns the number of copies still on their way.
func (c Counters) InFlight() uint64 {
	return c.Sent + c.Duplicated - c.Delivered - c.Dropped()
}

func (c *Counters) count(f Fate) {
	switch f {
	case Delivered:
		c.Delivered++
	case Filtered:
		c.Filtered++
	case LinkDown:
		c.LinkDown++
	case QueueFull:
		c.QueueFull++
	case Lost:
		c.Lost++
	case NoListener:
		c.NoListener++
	}
}

func (c *Counters) add(o Counters) {
	c.Sent += o.Sent
	c.Delivered += o.Delivered
	c.Duplicated += o.Duplicated
	c.Reordered += o.Reordered
	c.Filtered += o.Filtered
	c.LinkDown += o.LinkDown
	c.QueueFull += o.QueueFull
	c.Lost += o.Lost
	c.NoListener += o.NoListener
}

// Stats is a snapshot of the network's counters.
type Stats struct {
	Links map[Link]Counters // per direction between two addresses
	Total Counters
}

// Stats returns the counters of every link that has carried traffic or been
// configured, and their sum.
func (n *Network) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := Stats{Links: make(map[Link]Counters, len(n.links))}
	for k, l := range n.links {
		s.Links[k] = l.stats
		s.Total.add(l.stats)
	}
	return s
}
