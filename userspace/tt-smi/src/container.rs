//! A process's container, from its /proc/PID/cgroup path (README.md,
//! "Containers"). Recognised, with the systemd and the cgroupfs drivers:
//!
//! - docker: `docker-ID.scope`, `/docker/ID`
//! - containerd: `cri-containerd-ID.scope`, `nerdctl-ID.scope`, and with the
//!   cgroupfs driver `/NAMESPACE/ID` in its default namespace (`/default/ID`:
//!   `ctr run`, nerdctl)
//! - podman: `libpod-ID.scope`, `/libpod-ID`
//! - cri-o: `crio-ID.scope`
//! - a Kubernetes pod: `kubepods-...-podUID.slice` (UID with `_` for `-`) or
//!   `/kubepods/.../podUID`; a bare `ID` under it is a container of runtime `cri`.
//!
//! ID is 64 hex digits: anything shorter is not taken for a container.

use crate::model::Container;

const PREFIXES: [(&str, &str); 5] = [
    ("docker-", "docker"),
    ("cri-containerd-", "containerd"),
    ("nerdctl-", "containerd"),
    ("libpod-", "podman"),
    ("crio-", "cri-o"),
];

fn is_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The pod UID in a `kubepods-burstable-pod1a2b_....slice` or `pod1a2b-...` segment.
fn pod_uid(segment: &str) -> Option<String> {
    let uid = segment.strip_suffix(".slice").unwrap_or(segment).rsplit_once("pod").map(|(_, uid)| uid)?;
    let uid = uid.replace('_', "-");
    let shaped = uid.len() == 36 && uid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    shaped.then_some(uid)
}

/// A runtime's container id in one path segment, with the segment before it.
fn container_id(segment: &str, parent: &str) -> Option<(&'static str, String)> {
    let bare = segment.strip_suffix(".scope").unwrap_or(segment);
    for (prefix, runtime) in PREFIXES {
        if let Some(id) = bare.strip_prefix(prefix).filter(|id| is_id(id)) {
            return Some((runtime, id.to_string()));
        }
    }
    match parent {
        "docker" if is_id(bare) => Some(("docker", bare.to_string())),
        "default" if is_id(bare) => Some(("containerd", bare.to_string())),
        _ if is_id(bare) => Some(("cri", bare.to_string())),
        _ => None,
    }
}

/// The container of the process whose /proc/PID/cgroup is `text`; `None` on the host.
pub fn from_cgroup(text: &str) -> Option<Container> {
    // cgroup v2's line is `0::PATH`; on v1, every controller names the same container.
    for line in text.lines() {
        let path = line.splitn(3, ':').nth(2)?;
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let in_pod = segments.iter().any(|s| s.starts_with("kubepods"));
        let pod = segments.iter().filter(|_| in_pod).find_map(|s| pod_uid(s));
        let parent = |i: usize| if i == 0 { "" } else { segments[i - 1] };
        let id = segments.iter().enumerate().rev().find_map(|(i, s)| container_id(s, parent(i)));
        // A bare 64-hex segment outside a pod and not under /docker is nobody's container we know.
        let id = id.filter(|(runtime, _)| *runtime != "cri" || pod.is_some());
        match (id, pod) {
            (Some((runtime, id)), pod_uid) => return Some(Container { runtime, id: Some(id), pod_uid }),
            (None, Some(pod_uid)) => return Some(Container { runtime: "cri", id: None, pod_uid: Some(pod_uid) }),
            (None, None) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const POD: &str = "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";

    fn parse(path: &str) -> Option<(&'static str, Option<String>, Option<String>)> {
        from_cgroup(&format!("0::{path}\n")).map(|c| (c.runtime, c.id, c.pod_uid))
    }

    #[test]
    fn runtimes_with_both_cgroup_drivers() {
        let id = Some(ID.to_string());
        assert_eq!(parse(&format!("/system.slice/docker-{ID}.scope")), Some(("docker", id.clone(), None)));
        assert_eq!(parse(&format!("/docker/{ID}")), Some(("docker", id.clone(), None)));
        assert_eq!(parse(&format!("/machine.slice/libpod-{ID}.scope/container")), Some(("podman", id.clone(), None)));
        assert_eq!(parse(&format!("/libpod_parent/libpod-{ID}")), Some(("podman", id.clone(), None)));
        assert_eq!(parse(&format!("/system.slice/nerdctl-{ID}.scope")), Some(("containerd", id.clone(), None)));
        assert_eq!(parse(&format!("/default/{ID}")), Some(("containerd", id.clone(), None)));
        let pod = Some(POD.to_string());
        let systemd_pod =
            format!("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{}.slice", POD.replace('-', "_"));
        assert_eq!(
            parse(&format!("{systemd_pod}/cri-containerd-{ID}.scope")),
            Some(("containerd", id.clone(), pod.clone()))
        );
        assert_eq!(parse(&format!("{systemd_pod}/crio-{ID}.scope")), Some(("cri-o", id.clone(), pod.clone())));
        assert_eq!(parse(&format!("/kubepods/burstable/pod{POD}/{ID}")), Some(("cri", id, pod.clone())));
        assert_eq!(parse(&systemd_pod), Some(("cri", None, pod)));
        let v1 = format!("12:pids:/docker/{ID}\n11:memory:/docker/{ID}\n");
        assert_eq!(from_cgroup(&v1).map(|c| c.runtime), Some("docker"));
    }

    #[test]
    fn the_host_is_no_container() {
        assert_eq!(parse("/user.slice/user-1000.slice/session-3.scope"), None);
        assert_eq!(parse("/system.slice/docker.service"), None);
        assert_eq!(parse(&format!("/system.slice/docker-{}.scope", &ID[..12])), None);
        assert_eq!(parse(&format!("/{ID}")), None);
        assert_eq!(parse("/"), None);
        assert_eq!(from_cgroup("garbage"), None);
    }
}
