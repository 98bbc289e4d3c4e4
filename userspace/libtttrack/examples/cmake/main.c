/* Reports one allocation and frees it; prints what happened. */
#include <stdio.h>
#include <tt_track.h>

int main(void)
{
	int status = tt_track_alloc(0, 0, TT_TRACK_TYPE_DRAM, 0x1000, 1 << 20);

	printf("alloc: %s\n", tt_track_strerror(status));
	if (status == TT_TRACK_OK)
		status = tt_track_free(0, 0, TT_TRACK_TYPE_DRAM, 0x1000);
	printf("free: %s\n", tt_track_strerror(status));
	return status < 0;
}
