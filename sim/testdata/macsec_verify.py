#!/usr/bin/env python3
"""Validate and decrypt every MACsec frame of a patchbay capture with its key log.

usage: macsec_verify.py CAPTURE.pcap KEYLOG

An independent check of the simulator's MACsec: nothing here comes from
patchbay's Go code. The pcap is parsed with struct (nanosecond timestamps,
link type Ethernet), every frame with EtherType 0x88E5 after the MAC
addresses is a MACsec frame (IEEE 802.1AE-2018 §9: SecTAG = EtherType,
TCI/AN, SL, PN, optional SCI; then the secure data and a 16-octet ICV), and
its ICV is checked, and its data decrypted, with AES-GCM from the
`cryptography` package (Debian: python3-cryptography).

For the XPN suites the Salt and the SSCI are derived here, not taken from
the key log, which proves they are what a standard peer derives (sources
checked 2026-12):
  - Salt (IEEE 802.1AE-2018 §10.7.8, as quoted in Wireshark's
    epan/dissectors/packet-mka.c): the 64 least significant bits are those
    of the key server's MI; the next 16 bits are the MI's next 16 XOR the
    KN's 16 most significant bits; the 16 most significant bits are the MI's
    16 most significant XOR the KN's 16 least significant bits.
  - SSCI (IEEE 802.1X-2020 §9.10): the SCIs of the CA's members numbered from
    1 in descending numerical order.
The 64-bit PN of an XPN frame is recovered from the 32 bits on the wire and
the PNs already seen under the same SA, as a receiver does from its lowest
acceptable PN (IEEE 802.1AEbw-2013): the PN nearest above (highest seen + 1
- 2^30) whose low half matches.

Prints one JSON object (frames, verified, per-suite counts, the highest PN
recovered, the first failures) and exits 0 only when there were MACsec frames
and every one verified.
"""

import json
import struct
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MACSEC_ETHERTYPE = 0x88E5
ICV_LEN = 16
# How far below the highest PN seen a frame may fall and still count as
# the same 2^32 epoch when recovering an XPN PN: a replay window far wider
# than any reordering in a capture.
RECOVERY_WINDOW = 1 << 30


def read_pcap(path):
    """Yields (time in ns since 1970, frame bytes) for each record."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("no pcap header")
    magic_le = struct.unpack("<I", data[:4])[0]
    if magic_le == 0xA1B23C4D:
        endian = "<"
    elif struct.unpack(">I", data[:4])[0] == 0xA1B23C4D:
        endian = ">"
    else:
        raise ValueError("not a pcap with nanosecond timestamps (magic %08x)" % magic_le)
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    if linktype != 1:
        raise ValueError("link type %d is not Ethernet" % linktype)
    off = 24
    while off + 16 <= len(data):
        sec, nsec, incl, _orig = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        yield sec * 1_000_000_000 + nsec, data[off:off + incl]
        off += incl


def parse_time(s):
    """Signed decimal seconds with nine decimals, as exact nanoseconds."""
    neg = s.startswith("-")
    whole, _, frac = s.lstrip("-").partition(".")
    ns = int(whole) * 1_000_000_000 + int((frac + "000000000")[:9])
    return -ns if neg else ns


def read_keylog(path):
    entries = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            head, _, link = line.partition(" link=")
            fields = dict(kv.split("=", 1) for kv in head.split(" "))
            fields["link"] = link
            entries.append(fields)
    return entries


def derive_salt(mi, kn):
    mi = bytearray(mi)
    kn_bytes = kn.to_bytes(4, "big")
    mi[0:2] = bytes(a ^ b for a, b in zip(mi[0:2], kn_bytes[2:4]))
    mi[2:4] = bytes(a ^ b for a, b in zip(mi[2:4], kn_bytes[0:2]))
    return bytes(mi)


def derive_sscis(entries):
    """SSCI of each (link, SCI): the link's SCIs in descending order from 1.

    A link's two ends are the members of every CA on it, and each end keeps
    its SCI, so the SCIs its log lines name are the members' (a reader of
    the capture alone would take them from the MKPDUs' Basic Parameter Sets).
    """
    members = {}
    for e in entries:
        members.setdefault(e["link"], set()).add(bytes.fromhex(e["sci"]))
    sscis = {}
    for link, scis in members.items():
        for i, sci in enumerate(sorted(scis, reverse=True)):
            sscis[(link, sci)] = i + 1
    return sscis


# The capture's virtual time zero: 2026-01-01T00:00:00Z.
EPOCH_NS = 1767225600 * 1_000_000_000


def main():
    capture, keylog = sys.argv[1], sys.argv[2]
    entries = read_keylog(keylog)
    sscis = derive_sscis(entries)
    problems = []
    keys = {}  # (sci, an) -> [(t, key)], in log order
    for e in entries:
        sci = bytes.fromhex(e["sci"])
        xpn = "XPN" in e["suite"]
        # Each SA (an SC's use of a SAK) has its own PN history: both ends
        # transmit with one SAK, each counting from 1.
        key = {"sak": bytes.fromhex(e["sak"]), "suite": e["suite"], "xpn": xpn, "id": (sci, e["an"], e["sak"])}
        if xpn:
            salt = derive_salt(bytes.fromhex(e["mi"]), int(e["kn"]))
            ssci = sscis[(e["link"], sci)]
            if salt.hex() != e["salt"]:
                problems.append("SA %s AN %s: logged salt %s, derived %s" % (e["sci"], e["an"], e["salt"], salt.hex()))
            if ssci != int(e["ssci"], 16):
                problems.append("SA %s AN %s: logged SSCI %s, derived %d" % (e["sci"], e["an"], e["ssci"], ssci))
            key["salt"], key["ssci"] = salt, ssci
        keys.setdefault((sci, int(e["an"])), []).append((parse_time(e["t"]), key))

    highest = {}  # SA -> highest PN verified under it
    counts = {"frames": 0, "verified": 0, "suites": {}, "max_pn": 0, "keys": len(entries)}
    failures = []
    for ts, frame in read_pcap(capture):
        if len(frame) < 14 or struct.unpack(">H", frame[12:14])[0] != MACSEC_ETHERTYPE:
            continue
        counts["frames"] += 1
        t = ts - EPOCH_NS
        tci_an, sl = frame[14], frame[15] & 0x3F
        wire_pn = struct.unpack(">I", frame[16:20])[0]
        if not tci_an & 0x20:
            failures.append("frame at %d ns: no SCI in the SecTAG" % t)
            continue
        sci = frame[20:28]
        hdr = 28
        secure = sl if sl else len(frame) - hdr - ICV_LEN
        if secure < 0 or hdr + secure + ICV_LEN > len(frame):
            failures.append("frame at %d ns: %d octets cannot hold SL %d" % (t, len(frame), sl))
            continue
        data, icv = frame[hdr:hdr + secure], frame[hdr + secure:hdr + secure + ICV_LEN]
        encrypted = bool(tci_an & 0x08)
        # Newest key first: an AN is reused by later SAKs (rekeys wrap
        # around four ANs, a new CAK starts again at AN 0).
        candidates = [k for at, k in reversed(keys.get((sci, tci_an & 3), [])) if at <= t]
        ok = False
        for k in candidates:
            if k["xpn"]:
                top = highest.get(k["id"], 0)
                lowest = max(1, top + 1 - RECOVERY_WINDOW)
                pn = (lowest & ~0xFFFFFFFF) | wire_pn
                if pn < lowest:
                    pn += 1 << 32
                iv = bytes(a ^ b for a, b in zip(k["ssci"].to_bytes(4, "big") + pn.to_bytes(8, "big"), k["salt"]))
            else:
                pn = wire_pn
                iv = sci + pn.to_bytes(4, "big")
            try:
                if encrypted:
                    AESGCM(k["sak"]).decrypt(iv, data + icv, frame[:hdr])
                else:
                    AESGCM(k["sak"]).decrypt(iv, icv, frame[:hdr + secure])
            except InvalidTag:
                continue
            ok = True
            highest[k["id"]] = max(highest.get(k["id"], 0), pn)
            counts["max_pn"] = max(counts["max_pn"], pn)
            counts["suites"][k["suite"]] = counts["suites"].get(k["suite"], 0) + 1
            break
        if ok:
            counts["verified"] += 1
        else:
            failures.append("frame at %d ns: SCI %s AN %d PN %#x: no logged key verifies it (%d tried)"
                            % (t, sci.hex(), tci_an & 3, wire_pn, len(candidates)))

    counts["failures"] = (problems + failures)[:10]
    counts["failed"] = len(problems) + len(failures)
    print(json.dumps(counts, sort_keys=True))
    return 0 if counts["frames"] > 0 and counts["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
