// SPDX-License-Identifier: GPL-2.0
//! ioctl dispatch: raw command -> typed request -> client / device -> reply.

use crate::abi::*;
use crate::client::Client;
use crate::open_files::OpenFiles;
use crate::registry::Registry;
use crate::sys::misc::MiscFile;
use crate::sys::user;
use core::mem::{offset_of, size_of, MaybeUninit};
use kernel::prelude::*;
use kernel::sync::Arc;
use kernel::transmute::{AsBytes, FromBytes};
use kernel::uaccess::{UserPtr, UserSlice, UserSliceReader};

/// Reads a `T` from the caller's struct of `size` bytes (see `Call`). Bytes
/// past ours are fields of a newer ABI: they must be zero, or the call fails
/// with E2BIG and nothing changes.
fn read<T: FromBytes + AsBytes + Default>(arg: usize, size: usize) -> Result<T> {
    if size == size_of::<T>() {
        // A caller of this revision (nearly every call): a word-wise copy.
        return user::read(arg);
    }
    read_other_size(arg, size)
}

/// A caller of another revision: its struct's tail must be zeros (newer) or is taken as zeros (older).
#[cold]
fn read_other_size<T: FromBytes + AsBytes + Default>(arg: usize, size: usize) -> Result<T> {
    let (value, rest) = read_head(arg, size)?;
    if !rest.is_empty() {
        check_zero(rest)?;
    }
    Ok(value)
}

/// Reads a `T` from the caller's struct of `size` bytes: a shorter struct (an
/// older library) gives zeros for the fields it lacks; of a longer one (a
/// newer library) the bytes past ours are left in the reader returned.
fn read_head<T: FromBytes + AsBytes + Default>(arg: usize, size: usize) -> Result<(T, UserSliceReader)> {
    let mut reader = UserSlice::new(UserPtr::from_addr(arg), size).reader();
    if size < size_of::<T>() {
        return Ok((read_short(&mut reader)?, reader));
    }
    Ok((reader.read::<T>()?, reader))
}

/// An older caller's struct, shorter than ours: its bytes, then zeros.
#[cold]
fn read_short<T: FromBytes + AsBytes + Default>(reader: &mut UserSliceReader) -> Result<T> {
    let mut value = T::default();
    let n = reader.len();
    reader.read_slice(&mut value.as_bytes_mut()[..n])?;
    Ok(value)
}

/// E2BIG unless the rest of `reader` is zeros (a newer caller's fields).
#[cold]
fn check_zero(mut reader: UserSliceReader) -> Result {
    let mut tail = [0u8; 64];
    while !reader.is_empty() {
        let n = reader.len().min(tail.len());
        reader.read_slice(&mut tail[..n])?;
        if tail[..n].iter().any(|&b| b != 0) {
            return Err(E2BIG);
        }
    }
    Ok(())
}

/// Writes a reply into the caller's struct of `size` bytes: as much of ours
/// as an older caller's struct holds, or ours and then zeros for the fields
/// of a newer ABI this module does not know.
fn write_reply<T: AsBytes>(arg: usize, size: usize, value: &T) -> Result {
    let mut writer = UserSlice::new(UserPtr::from_addr(arg), size).writer();
    let ours = value.as_bytes();
    writer.write_slice(&ours[..size.min(ours.len())])?;
    let zeros = [0u8; 64];
    while !writer.is_empty() {
        let n = writer.len().min(zeros.len());
        writer.write_slice(&zeros[..n])?;
    }
    Ok(())
}

/// What an open file's callbacks need besides the file itself.
pub(crate) struct Context {
    pub(crate) files: Arc<OpenFiles>,
    pub(crate) registry: Arc<Registry>,
}

impl MiscFile for Client {
    type Shared = Context;

    fn open(ctx: &Context) -> Result<Arc<Self>> {
        ctx.files.open()
    }

    #[inline(always)]
    fn ioctl(&self, ctx: &Context, cmd: u32, arg: usize) -> Result<isize> {
        // This revision's ALLOC and FREE (nearly every call) skip decoding:
        // their numbers carry the size of our structs. The same as their arms
        // of the match below; sending them there instead costs an ALLOC 21
        // and a FREE 58 more instructions (`qemu-test.sh --trace`).
        match cmd {
            CMD_ALLOC => {
                let raw: tt_track_alloc = user::read(arg)?;
                self.alloc(&ctx.registry, &AllocRequest::parse(&raw, size_of::<tt_track_alloc>())?)?;
                return Ok(0);
            }
            CMD_FREE => {
                let raw: tt_track_free = user::read(arg)?;
                self.free(&ctx.registry, &FreeRequest::parse(&raw, size_of::<tt_track_free>())?)?;
                return Ok(0);
            }
            _ => {}
        }
        let Call { cmd, size } = Call::decode(cmd).ok_or(ENOTTY)?;
        match cmd {
            CMD_ALLOC => self.alloc(&ctx.registry, &AllocRequest::parse(&read(arg, size)?, size)?)?,
            CMD_FREE => self.free(&ctx.registry, &FreeRequest::parse(&read(arg, size)?, size)?)?,
            CMD_QUERY_STATS => self.query_stats(ctx, arg, size)?,
            CMD_GET_INFO => get_info(&ctx.registry, arg, size)?,
            CMD_BATCH => self.batch_ioctl(&ctx.registry, arg, size)?,
            _ => return Err(ENOTTY),
        }
        Ok(0)
    }

    fn release(this: Arc<Self>, ctx: &Context) {
        ctx.files.release(this);
    }
}

/// Batches up to this many operations are copied through the stack.
const STACK_OPS: usize = 16;

impl Client {
    /// BATCH: the header and operations are read, their pages probed for
    /// writing (so the results can be written, or nothing is applied), the
    /// operations applied, and written back with their results.
    fn batch_ioctl(&self, registry: &Registry, arg: usize, size: usize) -> Result {
        let mut header: tt_track_batch = read(arg, size)?;
        let req = BatchRequest::parse(&header, size)?;
        let bytes = size_of::<tt_track_op>() * req.count;
        let mut on_stack = [MaybeUninit::<tt_track_op>::uninit(); STACK_OPS];
        let mut on_heap;
        let ops = if req.count <= STACK_OPS {
            user::read_into(req.ops, &mut on_stack[..req.count])?
        } else {
            on_heap = KVec::new();
            on_heap.extend_with(req.count, tt_track_op::default(), GFP_KERNEL)?;
            UserSlice::new(UserPtr::from_addr(req.ops), bytes).reader().read_slice(on_heap.as_bytes_mut())?;
            &mut on_heap[..]
        };
        user::probe_writable(req.ops, ops.as_bytes())?;
        user::probe_writable(arg, header.as_bytes())?;
        header.done = self.batch(registry, ops);
        // Of the operations only the results changed, of the header `done`.
        user::write_field::<_, { offset_of!(tt_track_op, result) }>(req.ops, ops)?;
        user::write_field::<_, { offset_of!(tt_track_batch, done) }>(arg, core::slice::from_ref(&header))
    }

    /// QUERY_STATS: its output fields are not checked for zeros (a caller
    /// may reuse a struct); a newer caller's unknown ones are zeroed.
    fn query_stats(&self, ctx: &Context, arg: usize, size: usize) -> Result {
        let (mut reply, _outputs): (tt_track_query_stats, _) = read_head(arg, size)?;
        let req = StatsRequest::parse(&reply, size)?;
        let device = ctx.registry.device(req.device).ok_or(ENODEV)?;
        reply.open_files = u32::try_from(ctx.files.count()).unwrap_or(u32::MAX);
        reply.dram_capacity = device.dram_capacity;
        reply.l1_capacity = device.l1_capacity;
        match req.scope {
            Scope::Device => {
                let chip = device.chip(req.chip);
                (reply.leaked_bytes, reply.leaked_buffers) = chip.leaked_total();
                for (out, leak) in reply.leaked.iter_mut().zip(chip.leaked.iter()) {
                    let (bytes, buffers) = leak.snapshot();
                    *out = tt_track_leak_stats { bytes, buffers };
                }
                for (out, c) in reply.types.iter_mut().zip(chip.types.iter()) {
                    *out = c.snapshot();
                }
                for (out, c) in reply.kernel.iter_mut().zip(chip.kernel.iter()) {
                    *out = c.snapshot();
                }
            }
            Scope::File => {
                reply.leaked_bytes = 0;
                reply.leaked_buffers = 0;
                reply.leaked = Default::default();
                self.own_stats(&device, req.chip, &mut reply.types, &mut reply.kernel);
            }
        }
        write_reply(arg, size, &reply)
    }
}

/// GET_INFO: only its header is input; a newer caller's unknown fields are zeroed.
fn get_info(registry: &Registry, arg: usize, size: usize) -> Result {
    let header: [u32; 2] = UserSlice::new(UserPtr::from_addr(arg), size).reader().read()?;
    check_info_header(header[0], header[1], size)?;
    // Charged to the caller's memory cgroup: at its limit, ENOMEM (which
    // libtttrack takes as passing, and retries).
    let info = KBox::<tt_track_get_info>::new_uninit(crate::sys::gfp_account_mayfail() | __GFP_ZERO)?;
    // SAFETY: the memory is zeroed, a valid value for a struct of integers.
    let mut info = unsafe { info.assume_init() };
    info.argsz = header[0];
    info.abi_version = TT_TRACK_ABI_VERSION;
    let mut count = 0;
    let mut slots = info.devices.iter_mut();
    registry.for_each_attached(|d| {
        let Some(out) = slots.next() else {
            return;
        };
        out.ordinal = d.ordinal().unwrap_or(0);
        out.vendor_id = d.vendor_id;
        out.device_id = d.device_id;
        copy_cstr(&mut out.pci_address, d.address_str().as_bytes());
        copy_cstr(&mut out.arch, d.arch.as_bytes());
        out.dram_capacity = d.dram_capacity;
        out.l1_capacity = d.l1_capacity;
        out.chips_seen = d.chips_seen();
        count += 1;
    });
    info.device_count = count;
    write_reply(arg, size, &*info)
}

/// Copies `src` into a fixed C string field, always NUL-terminated.
fn copy_cstr(dst: &mut [core::ffi::c_char], src: &[u8]) {
    let n = src.len().min(dst.len() - 1);
    for (d, s) in dst.iter_mut().zip(&src[..n]) {
        *d = *s as core::ffi::c_char;
    }
    dst[n] = 0;
}
