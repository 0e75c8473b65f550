#include "textflag.h"

// FOLD multiplies the 128-bit lanes of acc by x^D through the key pair k
// (lo·k[0] and hi·k[1], see keys_amd64.go) and XORs in next; tmp is
// clobbered. The two products are independent, so they overlap.
#define FOLD(k, acc, next, tmp) \
	VPCLMULQDQ $0x00, k, acc, tmp \
	VPCLMULQDQ $0x11, k, acc, acc \
	VPTERNLOGD $0x96, next, tmp, acc

// FOLD_EACH folds acc over the input's blocks of n bytes, k as in FOLD,
// while at least n bytes are left; loop names its label, end where it
// goes then.
#define FOLD_EACH(n, k, acc, tmp, loop, end) \
loop: \
	CMPQ CX, $n \
	JB   end \
	FOLD(k, acc, (SI), tmp) \
	ADDQ $n, SI \
	SUBQ $n, CX \
	JMP  loop

// func foldAVX512(crc uint32, p []byte, k *foldKeys) uint32
//
// Four independent 512-bit accumulators cover 256 bytes per round, enough
// to hide VPCLMULQDQ's latency. The 128 bits left at the end are congruent
// to the whole input (mod P), so the CRC32 instruction over them, from a
// zero register, gives the CRC register of the input: two instructions,
// shorter than a Barrett reduction.
TEXT ·foldAVX512(SB), NOSPLIT, $0-44
	MOVL crc+0(FP), AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	MOVQ k+32(FP), DX

	// The initial register goes into the first 32 bits of the input.
	VMOVDQU64 (SI), Z0
	VMOVD     AX, X4
	VPXORD    Z4, Z0, Z0
	ADDQ      $64, SI
	SUBQ      $64, CX

	VBROADCASTI32X4 16(DX), Z9 // x^512
	CMPQ            CX, $192
	JB              loop64

	VMOVDQU64       (SI), Z1
	VMOVDQU64       64(SI), Z2
	VMOVDQU64       128(SI), Z3
	ADDQ            $192, SI
	SUBQ            $192, CX
	VBROADCASTI32X4 (DX), Z8 // x^2048

loop256:
	CMPQ CX, $256
	JB   merge
	FOLD(Z8, Z0, (SI), Z4)
	FOLD(Z8, Z1, 64(SI), Z5)
	FOLD(Z8, Z2, 128(SI), Z6)
	FOLD(Z8, Z3, 192(SI), Z7)
	ADDQ $256, SI
	SUBQ $256, CX
	JMP  loop256

merge:
	// Z0..Z3 are consecutive 64-byte blocks: fold each into the next.
	FOLD(Z9, Z0, Z1, Z4)
	FOLD(Z9, Z0, Z2, Z4)
	FOLD(Z9, Z0, Z3, Z4)

	FOLD_EACH(64, Z9, Z0, Z4, loop64, reduce)

reduce:
	// 512 bits to 256: the low half (first bytes) over the high half.
	VEXTRACTI64X4  $1, Z0, Y1
	VBROADCASTI128 32(DX), Y8 // x^256
	FOLD(Y8, Y0, Y1, Y4)

	// 256 bits to 128.
	VEXTRACTI128 $1, Y0, X1
	VMOVDQU      48(DX), X8 // x^128
	FOLD(X8, X0, X1, X4)

	FOLD_EACH(16, X8, X0, X4, loop16, done)

done:
	XORL    AX, AX
	VMOVQ   X0, BX
	VPEXTRQ $1, X0, R8
	CRC32Q  BX, AX
	CRC32Q  R8, AX
	VZEROUPPER
	MOVL    AX, ret+40(FP)
	RET
