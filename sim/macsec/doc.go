// Package macsec is MACsec (IEEE 802.1AE, with the 802.1AEbw extended
// packet numbers) and the parts of MKA (IEEE 802.1X-2010 §9, 802.1X-2020)
// that the simulator needs: protecting and validating frames byte for byte as
// a SecY does, deriving the MKA keys from a CAK, wrapping SAKs, and encoding
// MKPDUs that Wireshark decodes.
//
// It imports only the standard library so that its known-answer tests pin
// the wire format independently of the simulator that uses it.
package macsec
