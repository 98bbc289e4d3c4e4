//! A real terminal for watch mode: a tmux server of its own (one socket per
//! test), driven with send-keys, read with capture-pane, resized with
//! resize-window. tmux is installed by scripts/setup-host.sh.
use std::process::Command;
use std::time::Duration;

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Runs `command` in a `width`x`height` window; when it ends, the shell
    /// prints `EXITED=<status>` and the terminal's `stty -a` up to `STTY-END`, then waits.
    pub fn start(tag: &str, width: u16, height: u16, command: &str) -> Tmux {
        let t = Tmux { socket: format!("tt-smi-{tag}-{}", std::process::id()) };
        let script = format!("{command}; echo EXITED=$?; stty -a; echo STTY-END; sleep 600");
        t.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "sh",
            "-c",
            &script,
        ]);
        t
    }

    fn run(&self, args: &[&str]) -> String {
        let o = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux (scripts/setup-host.sh installs it)");
        assert!(o.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p"])
    }

    /// A tmux format of the pane: `#{alternate_on}`, `#{cursor_flag}`, `#{pane_title}`.
    pub fn format(&self, f: &str) -> String {
        self.run(&["display-message", "-p", f]).trim().to_string()
    }

    pub fn keys(&self, keys: &str) {
        self.run(&["send-keys", keys]);
    }

    pub fn resize(&self, width: u16, height: u16) {
        self.run(&["resize-window", "-x", &width.to_string(), "-y", &height.to_string()]);
    }

    /// The screen once `want` holds for it; panics with the screen after a generous wait.
    pub fn wait_for(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        for _ in 0..300 {
            let s = self.screen();
            if want(&s) {
                return s;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("waited 30 s for {what}; the screen:\n{}", self.screen());
    }

    /// The pid of the program the pane's shell started.
    pub fn program_pid(&self) -> i32 {
        let shell = self.format("#{pane_pid}");
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
        children.split_whitespace().next().expect("the program runs").parse().unwrap()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).output();
    }
}
