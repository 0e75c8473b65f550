//go:build !amd64

package crc32c

import "hash/crc32"

// Update returns the CRC of crc's input followed by p, as crc32.Update
// does with a Castagnoli table.
func Update(crc uint32, p []byte) uint32 { return crc32.Update(crc, table, p) }

// copyFold leaves every byte to CopyUpdate's copy and Update.
func copyFold(*uint32, []byte, []byte) int { return 0 }
