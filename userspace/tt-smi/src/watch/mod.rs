//! `--watch`: a live view on ratatui. The terminal is restored however it
//! ends: q, Esc or Ctrl-C; SIGTERM, SIGHUP or SIGINT (restored, then the
//! signal's default action, so the caller sees how it ended); a panic
//! (ratatui's hook restores first, so the message stays on screen).

mod history;
mod view;

use crate::model::Snapshot;
use crate::select::{self, SortKey};
use history::History;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

/// The signal that asked us to stop, 0 while none has.
static STOP: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(signal: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    STOP.store(signal, Ordering::SeqCst);
}

const SIGNALS: [libc::c_int; 3] = [libc::SIGTERM, libc::SIGHUP, libc::SIGINT];

fn catch_signals() {
    for s in SIGNALS {
        // SAFETY: on_signal only stores to an atomic.
        unsafe { libc::signal(s, on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t) };
    }
}

/// After the terminal is restored: die of `signal` as if never caught.
fn die_of(signal: libc::c_int) -> ! {
    // SAFETY: restoring the default action and raising are plain syscalls.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
    std::process::exit(128 + signal)
}

/// How often keys and signals are looked at between refreshes.
const TICK: Duration = Duration::from_millis(50);

/// What a key asks for.
enum Key {
    Quit,
    Sort(SortKey),
    Nothing,
}

fn key(k: KeyEvent) -> Key {
    if k.kind != KeyEventKind::Press {
        return Key::Nothing;
    }
    match k.code {
        KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => Key::Quit,
        KeyCode::Char('q') | KeyCode::Esc => Key::Quit,
        KeyCode::Char('p') => Key::Sort(SortKey::Pid),
        KeyCode::Char('m') => Key::Sort(SortKey::Memory),
        KeyCode::Char('d') => Key::Sort(SortKey::Dram),
        KeyCode::Char('l') => Key::Sort(SortKey::L1),
        KeyCode::Char('n') => Key::Sort(SortKey::Name),
        KeyCode::Char('u') => Key::Sort(SortKey::User),
        _ => Key::Nothing,
    }
}

/// Runs until quit. `read` gives a snapshot with its warnings, or why not.
pub fn run(
    refresh: Duration,
    mut sort: Option<SortKey>,
    read: impl Fn() -> Result<(Snapshot, Vec<String>), String>,
) -> std::io::Result<()> {
    catch_signals();
    // SAFETY: isatty reads its argument only.
    let stdin_is_tty = unsafe { libc::isatty(0) } == 1;
    let mut terminal = ratatui::try_init()?;
    let result = (|| -> std::io::Result<()> {
        let mut history = History::default();
        #[cfg(debug_assertions)]
        let mut panic_after = std::env::var("TT_TRACK_SMI_PANIC_AFTER_FRAMES").ok().and_then(|n| n.parse::<u32>().ok());
        loop {
            let (mut snapshot, messages) = match read() {
                Ok((s, warnings)) => (Some(s), warnings),
                // A device may come and go between refreshes: say so, keep watching.
                Err(e) => (None, vec![e]),
            };
            if let Some(s) = &snapshot {
                history.push(s);
            }
            let next = Instant::now() + refresh;
            // Redrawn on every key (a new sort) and resize, re-read at each refresh.
            loop {
                if let (Some(s), Some(k)) = (snapshot.as_mut(), sort) {
                    select::sort(&mut s.processes, k);
                }
                let state = view::State { sort, history: &history, messages: &messages };
                terminal.draw(|f| view::draw(f, snapshot.as_ref(), &state))?;
                // Fault injection for tests/watch.rs (debug builds only): a panic mid-watch.
                #[cfg(debug_assertions)]
                if let Some(n) = panic_after.as_mut() {
                    *n = n.saturating_sub(1);
                    assert!(*n > 0, "injected panic (TT_TRACK_SMI_PANIC_AFTER_FRAMES)");
                }
                match wait_for_input(next, stdin_is_tty)? {
                    Input::Quit => return Ok(()),
                    Input::Sort(k) => sort = Some(k),
                    Input::Redraw => {}
                    Input::Refresh => break,
                }
            }
        }
    })();
    drop(terminal);
    ratatui::restore();
    match STOP.load(Ordering::SeqCst) {
        0 => result,
        signal => die_of(signal),
    }
}

/// Waits up to `tick` for input on standard input, if it was the terminal
/// when watch mode began; whether the terminal has hung up since.
fn terminal_gone(stdin_is_tty: bool, tick: Duration) -> bool {
    if !stdin_is_tty {
        std::thread::sleep(tick);
        return false;
    }
    let mut fd = libc::pollfd { fd: 0, events: libc::POLLIN, revents: 0 };
    let ms = libc::c_int::try_from(tick.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: one valid pollfd, for the duration of the call.
    let n = unsafe { libc::poll(&mut fd, 1, ms) };
    n > 0 && fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}

enum Input {
    Quit,
    Sort(SortKey),
    Redraw,
    Refresh,
}

/// Waits for a key, a resize, a signal or the next refresh, whichever first.
/// A terminal that went away (its window closed) quits too.
fn wait_for_input(next: Instant, stdin_is_tty: bool) -> std::io::Result<Input> {
    while Instant::now() < next {
        if STOP.load(Ordering::SeqCst) != 0 || terminal_gone(stdin_is_tty, TICK) {
            return Ok(Input::Quit);
        }
        // Never a blocking poll: crossterm's spins at full CPU, and never
        // returns, on a terminal that has hung up.
        if event::poll(Duration::ZERO)? {
            match event::read()? {
                Event::Key(k) => match key(k) {
                    Key::Quit => return Ok(Input::Quit),
                    Key::Sort(s) => return Ok(Input::Sort(s)),
                    Key::Nothing => {}
                },
                Event::Resize(..) => return Ok(Input::Redraw),
                _ => {}
            }
        }
    }
    Ok(Input::Refresh)
}
