// SPDX-License-Identifier: GPL-2.0
// libtttrack from C++: several threads allocate and free on two devices
// through the C header and the static library; the /proc files must agree.
#include <tt_track.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

static int failures = 0;
#define CHECK(c) do { if (!(c)) { std::printf("  check failed at %d: %s\n", __LINE__, #c); failures++; } } while (0)

// Sum of sizes and number of lines of `pid` in /proc/driver/tenstorrent/<dev>/allocations.
static std::pair<unsigned long long, unsigned long long> proc_usage(unsigned dev, int pid) {
    std::ifstream f("/proc/driver/tenstorrent/" + std::to_string(dev) + "/allocations");
    std::string line;
    unsigned long long bytes = 0, lines = 0;
    std::getline(f, line);  // header
    while (std::getline(f, line)) {
        std::istringstream in(line);
        std::string p, type, id;
        unsigned chip;
        unsigned long long size;
        if (in >> p >> chip >> type >> id >> size && p == std::to_string(pid)) {
            bytes += size;
            lines++;
        }
    }
    return {bytes, lines};
}

int main() {
    CHECK(tt_track_available() == 1);
    struct tt_track_get_info info;
    CHECK(tt_track_devices(&info) == TT_TRACK_OK);
    CHECK(info.device_count >= 2);
    const unsigned devs[2] = {info.devices[0].ordinal, info.devices[1].ordinal};
    const int threads = 4, per_thread = 2000;

    std::vector<std::thread> pool;
    for (int t = 0; t < threads; t++) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; i++) {
                unsigned dev = devs[i % 2];
                uint64_t id = (uint64_t(t) << 32) | i;
                if (tt_track_alloc(dev, 0, TT_TRACK_TYPE_DRAM, id, 1000 + t) != TT_TRACK_OK) failures++;
                // keep every 4th buffer, free the rest
                if (i % 4 && tt_track_free(dev, 0, TT_TRACK_TYPE_DRAM, id) != TT_TRACK_OK) failures++;
            }
        });
    }
    for (auto &th : pool) th.join();

    unsigned long long want_bytes[2] = {0, 0}, want_n[2] = {0, 0};
    for (int t = 0; t < threads; t++)
        for (int i = 0; i < per_thread; i += 4) {
            want_bytes[i % 2] += 1000 + t;
            want_n[i % 2] += 1;
        }
    for (int d = 0; d < 2; d++) {
        struct tt_track_query_stats s;
        CHECK(tt_track_stats(devs[d], 0, TT_TRACK_SCOPE_FILE, &s) == TT_TRACK_OK);
        CHECK(s.types[TT_TRACK_TYPE_DRAM].bytes == want_bytes[d]);
        CHECK(s.types[TT_TRACK_TYPE_DRAM].buffers == want_n[d]);
        auto usage = proc_usage(devs[d], getpid());
        CHECK(usage.first == want_bytes[d]);
        CHECK(usage.second == want_n[d]);
    }
    CHECK(tt_track_alloc(devs[0], 0, TT_TRACK_TYPE_DRAM, 0, 1) == -EEXIST);
    CHECK(std::strlen(tt_track_strerror(-EEXIST)) > 0);
    std::printf("%s libtttrack C++ threads\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
