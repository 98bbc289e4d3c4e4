// SPDX-License-Identifier: GPL-2.0 OR MIT
// The subset of TT-Metal's declarations the adapter uses, kept here so the
// adapter compiles in CI without a TT-Metal checkout. Names and signatures
// follow tt-metal's graph_tracking.hpp, buffer.hpp and device.hpp (v0.81);
// when building inside TT-Metal, include the real headers instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace tt::tt_metal {

enum class BufferType { DRAM = 0, L1 = 1, SYSTEM_MEMORY = 2, L1_SMALL = 3, TRACE = 4 };

class IDevice {
public:
    virtual ~IDevice() = default;
    virtual int id() const = 0;
    // The chips a (mesh) device spans; a single chip returns just itself.
    virtual std::vector<IDevice*> get_devices() const = 0;
};

class Buffer {
public:
    uint64_t size() const;  // device-local bytes (per chip for a mesh buffer)
    uint32_t address() const;
    BufferType buffer_type() const;
    IDevice* device() const;
    size_t unique_id() const;
    bool is_allocated() const;
};

class CoreRangeSet {
public:
    uint32_t num_cores() const;
};

class Program {
public:
    uint64_t get_id() const;
};

class IGraphProcessor {
public:
    virtual ~IGraphProcessor() = default;
    virtual bool is_capture_processor() const { return false; }
    virtual void track_allocate(const Buffer* buffer) = 0;
    virtual void track_deallocate(Buffer* buffer) = 0;
    virtual void track_allocate_cb(const CoreRangeSet& core_range_set, uint64_t addr, uint64_t size,
                                   bool is_globally_allocated, const IDevice* device) = 0;
    virtual void track_deallocate_cb(const IDevice* device) = 0;
    virtual void track_program(Program* program, const IDevice* device) = 0;
};

class GraphTracker {
public:
    static GraphTracker& instance();
    void push_processor(const std::shared_ptr<IGraphProcessor>& processor);
    void pop_processor();
};

}  // namespace tt::tt_metal
