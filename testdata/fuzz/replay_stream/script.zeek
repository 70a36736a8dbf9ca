event zeek_init() { print "not a replay stream"; }
