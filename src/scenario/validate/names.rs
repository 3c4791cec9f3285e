//! What a name may be. Names reach directory names (`simulation.name`),
//! CSV cells, chart labels and the terminal, so none may hold control
//! characters; a skill may not be called `all`, the name of the all-skills
//! scope in every output.

use super::Ctx;
use toml::Spanned;

/// The longest `simulation.name`, in bytes: it names the output directory,
/// and file systems allow 255 bytes per path component.
pub const MAX_NAME_BYTES: usize = 100;

/// The reserved scope name of the totals over every skill.
pub const ALL_SKILLS: &str = "all";

/// Reports control characters (newlines, tabs, escapes, NUL) in a name of
/// `what`; `true` when there are none.
pub(super) fn no_control_chars(cx: &mut Ctx, n: &Spanned<String>, key: &str, what: &str) -> bool {
    match n.get_ref().chars().find(|c| c.is_control()) {
        None => true,
        Some(c) => {
            cx.err(
                n,
                key,
                format!(
                    "the {what} name {:?} holds the control character {c:?}: names go to files and the terminal, use printable characters",
                    n.get_ref()
                ),
            );
            false
        }
    }
}

/// What is wrong with `s` as the name of an output directory
/// (`simulation.name`, a sweep's `name`), if anything.
pub fn directory_name_problem(s: &str) -> Option<String> {
    if s.is_empty() || s.contains(['/', '\\']) || s == ".." || s == "." {
        Some("must be a non-empty name usable as a directory (no '/')".to_string())
    } else if s.len() > MAX_NAME_BYTES {
        Some(format!(
            "the name is {} bytes long: it names the output directory, at most {MAX_NAME_BYTES} bytes",
            s.len()
        ))
    } else if s.trim() != s {
        Some(format!(
            "the name {s:?} starts or ends with spaces: it names the output directory"
        ))
    } else {
        s.chars().find(|c| c.is_control()).map(|c| {
            format!(
                "the name {s:?} holds the control character {c:?}: names go to files and the terminal, use printable characters"
            )
        })
    }
}

/// `simulation.name`: it becomes the output directory `output/<name>/`.
pub(super) fn directory_name(cx: &mut Ctx, n: &Spanned<String>, key: &str) {
    if let Some(why) = directory_name_problem(n.get_ref()) {
        cx.err(n, key, why);
    }
}

/// A skill's name: non-empty, no '.', no control characters, not `all`.
pub(super) fn skill_name(cx: &mut Ctx, n: &Spanned<String>) {
    let s = n.get_ref();
    if s.is_empty() || s.contains('.') {
        cx.err(
            n,
            "skill.name",
            format!("skill name `{s}` must be non-empty and contain no '.'"),
        );
    } else if s == ALL_SKILLS {
        cx.err(
            n,
            "skill.name",
            "a skill may not be called `all`: `all` is the scope of the totals over every skill in the outputs",
        );
    } else {
        no_control_chars(cx, n, "skill.name", "skill");
    }
}

/// An agent group's name: `false` if empty or with a '.' (the caller
/// reports that with uniqueness); control characters are reported here.
pub(super) fn group_name(cx: &mut Ctx, n: &Spanned<String>, prefix: &str) -> bool {
    let s = n.get_ref();
    if s.is_empty() || s.contains('.') {
        return false;
    }
    no_control_chars(cx, n, &format!("{prefix}.name"), "agent group");
    true
}
