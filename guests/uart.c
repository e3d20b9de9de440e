// SPDX-License-Identifier: GPL-2.0
/*
 * PL011 console.  Only CPU0 prints, so there is no locking: secondaries
 * report through memory and CPU0 turns that into lines.
 *
 * Output is assembled a line at a time and pushed out in one burst, so
 * that a line is never split by anything but a VM pause (e.g. the
 * switch-over of a live migration), and so that we poll the flag
 * register once per FIFO-full rather than once per byte: under KVM every
 * PL011 access is an exit to QEMU, which is expensive when nested.
 */
#include "guest.h"

#define UART_DR		0x00
#define UART_FR		0x18
#define UART_LCR_H	0x2c
#define UART_CR		0x30

#define FR_RXFE		(1U << 4)
#define FR_TXFE		(1U << 7)
#define LCR_H_FEN	(1U << 4)
#define LCR_H_WLEN_8	(3U << 5)
#define CR_UARTEN	(1U << 0)
#define CR_TXE		(1U << 8)
#define CR_RXE		(1U << 9)

/* Smallest PL011 FIFO (16 bytes on r1p4 and older; QEMU models 16). */
#define TX_BURST	16

static char line[2048];
static unsigned int line_len;
static int tx_partial;		/* part of a line is on the wire */

void uart_init(void)
{
	/*
	 * Enable the FIFOs so that a burst of input bytes is all waiting
	 * for us at the next heartbeat (one re-dump, not one per byte).
	 * LCR_H may only be changed with the UART disabled.
	 */
	mmio_write32(UART_BASE + UART_CR, 0);
	mmio_write32(UART_BASE + UART_LCR_H, LCR_H_WLEN_8 | LCR_H_FEN);
	mmio_write32(UART_BASE + UART_CR, CR_UARTEN | CR_TXE | CR_RXE);
}

static void uart_write(const char *buf, unsigned int len)
{
	unsigned int room = 0;

	if (!len)
		return;
	tx_partial = 1;
	for (unsigned int i = 0; i < len; i++) {
		/* An empty FIFO takes at least TX_BURST bytes. */
		if (!room) {
			while (!(mmio_read32(UART_BASE + UART_FR) & FR_TXFE))
				;
			room = TX_BURST;
		}
		mmio_write32(UART_BASE + UART_DR, (uint8_t)buf[i]);
		room--;
	}
	tx_partial = buf[len - 1] != '\n';
}

static void out_char(char c)
{
	/* Only an absurdly long line gets here; emit it in pieces. */
	if (line_len == sizeof(line)) {
		uart_write(line, line_len);
		line_len = 0;
	}
	line[line_len++] = c;
}

void out_str(const char *s)
{
	while (*s)
		out_char(*s++);
}

void out_hex(uint64_t v)
{
	out_str("0x");
	for (int shift = 60; shift >= 0; shift -= 4)
		out_char("0123456789abcdef"[(v >> shift) & 0xf]);
}

void out_dec(uint64_t v)
{
	char buf[20];
	int n = 0;

	do {
		buf[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		out_char(buf[--n]);
}

void out_sdec(int64_t v)
{
	if (v < 0) {
		out_char('-');
		out_dec(-(uint64_t)v);
	} else {
		out_dec(v);
	}
}

/* Lines end in a bare '\n' so busy-box awk sees no stray '\r'. */
void out_end(void)
{
	out_char('\n');
	uart_write(line, line_len);
	line_len = 0;
}

/*
 * Start a fresh line, for the exception path: drop what was being
 * assembled and terminate anything half-sent, so the ERR line that
 * follows is still a line of its own.
 */
void out_reset(void)
{
	line_len = 0;
	if (tx_partial)
		uart_write("\n", 1);
}

void out_line(const char *s)
{
	out_str(s);
	out_end();
}

/*
 * Discard everything in the RX FIFO and return how many bytes there
 * were.  Bounded so that a flood of input cannot stall the heartbeat.
 */
unsigned int uart_drain_rx(void)
{
	unsigned int n = 0;

	while (n < 256 && !(mmio_read32(UART_BASE + UART_FR) & FR_RXFE)) {
		(void)mmio_read32(UART_BASE + UART_DR);
		n++;
	}
	return n;
}
