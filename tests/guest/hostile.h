/* SPDX-License-Identifier: GPL-2.0 */
/* Scenarios of tt_track_test written as a hostile local user (hostile.c). */
#ifndef TT_HOSTILE_H
#define TT_HOSTILE_H

void overflow(void);
void comm(void);
void readers(void);
void reorder(void);
void orphan(void);
void kpeak(void);
void nsview(void);
void memcharge(void);

#endif
