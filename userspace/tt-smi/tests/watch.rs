//! Watch mode in a real terminal (tmux): it draws at any size, charts each
//! chip, sorts the process table, and leaves the terminal as it found it on
//! every way out: q, Esc, Ctrl-C, SIGTERM, SIGHUP and a panic.

mod common;
use common::fixture;
use common::tmux::Tmux;

fn command(fixture_name: &str, env: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_tt-track-smi");
    format!("{env} {bin} --watch --refresh 200 --root {}", fixture(fixture_name).display())
}

fn drawn(s: &str) -> bool {
    s.contains("Processes") && s.contains("DRAM")
}

/// After the program ended: normal screen, cursor shown, cooked mode with echo.
fn assert_restored(t: &Tmux, exit: &str) {
    let screen = t.wait_for("the program to end", |s| s.contains("STTY-END"));
    assert!(screen.contains(&format!("EXITED={exit}")), "{screen}");
    assert_eq!(t.format("#{alternate_on}"), "0", "still on the alternate screen:\n{screen}");
    assert_eq!(t.format("#{cursor_flag}"), "1", "cursor hidden");
    let stty: Vec<&str> = screen.split("EXITED=").nth(1).unwrap().split_whitespace().collect();
    assert!(stty.contains(&"icanon") && stty.contains(&"echo"), "raw mode left on:\n{screen}");
}

#[test]
fn q_esc_and_ctrl_c_quit_and_restore() {
    for (n, key) in ["q", "Escape", "C-c"].iter().enumerate() {
        let t = Tmux::start(&format!("key{n}"), 120, 40, &command("normal", ""));
        t.wait_for("the first frame", drawn);
        t.keys(key);
        assert_restored(&t, "0");
    }
}

#[test]
fn sigterm_and_sighup_restore_at_80x24() {
    for (n, (signal, status)) in [(libc::SIGTERM, "143"), (libc::SIGHUP, "129")].into_iter().enumerate() {
        let t = Tmux::start(&format!("sig{n}"), 80, 24, &command("normal", ""));
        t.wait_for("the first frame", drawn);
        // SAFETY: kill has no memory-safety preconditions; the pid is our tmux's child.
        assert_eq!(unsafe { libc::kill(t.program_pid(), signal) }, 0);
        assert_restored(&t, status);
    }
}

/// A window closed under it (the terminal hangs up): watch mode ends, and
/// does not spin on a dead terminal.
#[test]
fn a_closed_terminal_ends_the_watch() {
    let t = Tmux::start("gone", 80, 24, &command("normal", ""));
    t.wait_for("the first frame", drawn);
    let pid = t.program_pid();
    drop(t); // kills the tmux server: the pane's terminal is gone
             // SAFETY: signal 0 only asks whether the process exists.
    let alive = || unsafe { libc::kill(pid, 0) } == 0;
    for _ in 0..300 {
        if !alive() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // SAFETY: our own test's child, stopped so it does not spin on.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    panic!("watch mode still ran 30 s after its terminal was closed");
}

#[test]
fn a_panic_restores_the_terminal_and_its_message_stays_visible() {
    // Debug builds only: a panic injected after the first frame.
    let t = Tmux::start("panic", 120, 40, &command("normal", "TT_TRACK_SMI_PANIC_AFTER_FRAMES=1"));
    let screen = t.wait_for("the program to end", |s| s.contains("EXITED="));
    assert!(screen.contains("panicked") && screen.contains("injected panic"), "{screen}");
    assert_restored(&t, "101");
}

#[test]
fn every_size_shows_the_header_charts_and_processes() {
    let t = Tmux::start("sizes", 80, 24, &command("normal", ""));
    for (w, h) in [(80, 24), (40, 10), (200, 60), (80, 24)] {
        t.resize(w, h);
        // Drawn for this size: the header on the first row, the key line on the last.
        let screen = t.wait_for(&format!("a frame at {w}x{h}"), |s| {
            let rows: Vec<&str> = s.lines().collect();
            rows.len() == usize::from(h)
                && rows[0].starts_with("tt-track-smi")
                && rows[rows.len() - 1].starts_with("sort:")
        });
        assert!(screen.lines().all(|l| l.chars().count() <= usize::from(w)), "{screen}");
        if h >= 24 {
            assert!(screen.contains("0/0 DRAM") && screen.contains("0/0 L1"), "charts at {w}x{h}:\n{screen}");
            assert!(screen.contains("PID") && screen.contains("python3"), "processes at {w}x{h}:\n{screen}");
        }
    }
    t.keys("q");
    assert_restored(&t, "0");
}

/// The pids of the process table, top to bottom.
fn pids(screen: &str) -> Vec<String> {
    let table = screen.split("PID").nth(1).unwrap_or("");
    table
        .lines()
        .filter_map(|l| {
            l.split_whitespace().nth(1).filter(|w| w.chars().all(|c| c.is_ascii_digit())).map(str::to_string)
        })
        .collect()
}

#[test]
fn the_process_table_sorts_by_key() {
    let t = Tmux::start("sort", 120, 40, &command("normal", ""));
    t.wait_for("the first frame", drawn);
    t.keys("p");
    let s = t.wait_for("sorted by pid", |s| s.contains("sort: pid"));
    assert_eq!(pids(&s), ["412", "412", "977", "1500"], "{s}");
    t.keys("m");
    let s = t.wait_for("sorted by memory", |s| s.contains("sort: memory"));
    assert_eq!(pids(&s), ["412", "977", "412", "1500"], "{s}");
    t.keys("q");
    assert_restored(&t, "0");
}

#[test]
fn names_cannot_drive_the_terminal() {
    let t = Tmux::start("hostile", 120, 40, &command("hostile", ""));
    t.wait_for("the first frame", drawn);
    let screen = t.wait_for("the process table", |s| s.contains("?]0;pwned?"));
    assert!(!t.format("#{pane_title}").contains("pwned"), "retitled:\n{screen}");
    t.keys("q");
    assert_restored(&t, "0");
}
