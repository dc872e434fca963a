#!/bin/bash
# Prints a reproducible whitelist, one entry a line: ADDRESSES distinct IPv4 addresses (10.9.9.9 first, the rest
# outside 10/8, 127/8 and multicast) and CIDRS distinct ranges of /16, /20, /24 or /28 outside 10/8.
# Usage: bench/whitelist.sh ADDRESSES CIDRS [SEED]
set -euo pipefail
awk -v n="$1" -v c="$2" -v seed="${3:-42}" '
  function octet1() { while (1) { o = 11 + int(rand() * 213); if (o != 127) return o } }
  function r256() { return int(rand() * 256) }
  BEGIN {
    srand(seed)
    print "10.9.9.9"; seen["10.9.9.9"] = 1; k = 1
    while (k < n) { a = octet1() "." r256() "." r256() "." r256(); if (!(a in seen)) { seen[a] = 1; print a; k++ } }
    k = 0
    while (k < c) {
      bits = 16 + 4 * int(rand() * 4); o1 = octet1(); o2 = r256(); o3 = r256(); o4 = r256()
      if (bits == 16) { o3 = 0; o4 = 0 } else if (bits == 20) { o3 -= o3 % 16; o4 = 0 } else if (bits == 24) { o4 = 0 } else { o4 -= o4 % 16 }
      e = o1 "." o2 "." o3 "." o4 "/" bits
      if (!(e in seen)) { seen[e] = 1; print e; k++ }
    }
  }'
