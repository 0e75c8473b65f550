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

// REDUCE folds the 512 bits of Z0 down to the 128 of X0, each time the
// low half (the first bytes) over the high half: by x^256 to 256 bits,
// by x^128 to 128, leaving x^128's key pair in X8 for the 16-byte rounds
// that follow.
#define REDUCE \
	VEXTRACTI64X4  $1, Z0, Y1 \
	VBROADCASTI128 32(DX), Y8 \
	FOLD(Y8, Y0, Y1, Y4) \
	VEXTRACTI128   $1, Y0, X1 \
	VMOVDQU        48(DX), X8 \
	FOLD(X8, X0, X1, X4)

// FINISH returns the CRC register of the input, whose 128 bits left in X0
// are congruent to the whole input (mod P): the CRC32 instruction over
// them, from a zero register, gives it in two instructions, shorter than
// a Barrett reduction.
#define FINISH(ret) \
	XORL    AX, AX \
	VMOVQ   X0, BX \
	VPEXTRQ $1, X0, R8 \
	CRC32Q  BX, AX \
	CRC32Q  R8, AX \
	VZEROUPPER \
	MOVL    AX, ret \
	RET

// func foldAVX512(crc uint32, p []byte, k *foldKeys) uint32
//
// Four independent 512-bit accumulators cover 256 bytes per round, enough
// to hide VPCLMULQDQ's latency.
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
	REDUCE
	FOLD_EACH(16, X8, X0, X4, loop16, done)

done:
	FINISH(ret+40(FP))

// COPY_FOLD_EACH is FOLD_EACH for foldCopyAVX512: each block goes through
// reg, which is also stored at DI.
#define COPY_FOLD_EACH(n, k, acc, tmp, reg, loop, end) \
loop: \
	CMPQ CX, $n \
	JB   end \
	VMOVDQU64 (SI), reg \
	VMOVDQU64 reg, (DI) \
	FOLD(k, acc, reg, tmp) \
	ADDQ $n, SI \
	ADDQ $n, DI \
	SUBQ $n, CX \
	JMP  loop

// func foldCopyAVX512(crc uint32, dst, src []byte, k *foldKeys) uint32
//
// foldAVX512 over src that also stores every block it loads at dst: the
// copy costs the stores alone, where a copy followed by the CRC read the
// bytes twice and the CRC's loads waited on the copy's stores.
TEXT ·foldCopyAVX512(SB), NOSPLIT, $0-68
	MOVL crc+0(FP), AX
	MOVQ dst_base+8(FP), DI
	MOVQ src_base+32(FP), SI
	MOVQ src_len+40(FP), CX
	MOVQ k+56(FP), DX

	VMOVDQU64 (SI), Z0
	VMOVDQU64 Z0, (DI)
	VMOVD     AX, X4
	VPXORD    Z4, Z0, Z0
	ADDQ      $64, SI
	ADDQ      $64, DI
	SUBQ      $64, CX

	VBROADCASTI32X4 16(DX), Z9 // x^512
	CMPQ            CX, $192
	JB              cloop64

	VMOVDQU64       (SI), Z1
	VMOVDQU64       64(SI), Z2
	VMOVDQU64       128(SI), Z3
	VMOVDQU64       Z1, (DI)
	VMOVDQU64       Z2, 64(DI)
	VMOVDQU64       Z3, 128(DI)
	ADDQ            $192, SI
	ADDQ            $192, DI
	SUBQ            $192, CX
	VBROADCASTI32X4 (DX), Z8 // x^2048

cloop256:
	CMPQ      CX, $256
	JB        cmerge
	VMOVDQU64 (SI), Z10
	VMOVDQU64 64(SI), Z11
	VMOVDQU64 128(SI), Z12
	VMOVDQU64 192(SI), Z13
	VMOVDQU64 Z10, (DI)
	VMOVDQU64 Z11, 64(DI)
	VMOVDQU64 Z12, 128(DI)
	VMOVDQU64 Z13, 192(DI)
	FOLD(Z8, Z0, Z10, Z4)
	FOLD(Z8, Z1, Z11, Z5)
	FOLD(Z8, Z2, Z12, Z6)
	FOLD(Z8, Z3, Z13, Z7)
	ADDQ      $256, SI
	ADDQ      $256, DI
	SUBQ      $256, CX
	JMP       cloop256

cmerge:
	FOLD(Z9, Z0, Z1, Z4)
	FOLD(Z9, Z0, Z2, Z4)
	FOLD(Z9, Z0, Z3, Z4)

	COPY_FOLD_EACH(64, Z9, Z0, Z4, Z10, cloop64, creduce)

creduce:
	REDUCE
	COPY_FOLD_EACH(16, X8, X0, X4, X10, cloop16, cdone)

cdone:
	FINISH(ret+64(FP))
