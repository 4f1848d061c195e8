//! No module cycles in xpander-runtime's source.
//!
//! DESIGN: no module imports one that imports it back. This test stands in for
//! `cargo modules dependencies --acyclic` without needing that tool: it parses every file under
//! `src/` with `syn`, draws an edge A -> B when file A names an item defined in file B (in a
//! `use`, or a path in code such as `crate::x::Y`, `super::Y` or `child::Y`), following
//! `pub use` re-exports and globs to the file that defines the item, and fails listing each cycle
//! with, for each edge, the `file:line` of a path that makes it.
//!
//! Not edges: `mod x;`, a module's `pub use` of an item from its own submodules (a pass-through;
//! using that item in its own code is an edge), and paths to other crates. Inline modules
//! (`mod tests { ... }`) and `#[cfg(test)]` items are skipped: test code may use anything. Paths
//! in macro arguments count where the arguments parse as expressions or items.
//! Lines are found by searching the text: syn's spans carry none without proc-macro2's
//! `span-locations` feature.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::Path;

use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, Ident, Item, UseTree, Visibility};

/// The crate's own name: `extern crate self as xpander_runtime` makes it mean `crate`.
const CRATE_NAME: &str = "xpander_runtime";

/// What a name in a module is: a `mod x;` submodule, an item defined in a file, or a `use`.
enum Entry {
    Child,
    Def(usize),
    Import(Vec<String>),
}

/// A module's names, each with whether it is visible outside the module (for glob imports).
#[derive(Default)]
struct Module {
    names: HashMap<String, Vec<(Entry, bool)>>,
    globs: Vec<(Vec<String>, bool)>,
}

fn add(module: &mut Module, name: String, entry: Entry, public: bool) {
    module.names.entry(name).or_default().push((entry, public));
}

enum Target {
    Module(Vec<String>),
    File(usize),
}

/// A path written in a file, in code or in a `use` (`reexport` when that `use` is not private).
struct Ref {
    path: Vec<String>,
    line: usize,
    reexport: bool,
}

#[derive(Default)]
struct Crate {
    files: Vec<String>,
    mod_paths: Vec<Vec<String>>,
    modules: HashMap<Vec<String>, Module>,
    refs: Vec<Vec<Ref>>,
}

impl Crate {
    /// Parses `(path under src/, source)` pairs.
    fn parse(sources: &[(String, String)]) -> Crate {
        let mut krate = Crate::default();
        let mut exported_macros = vec![];
        for (file, (name, source)) in sources.iter().enumerate() {
            let ast = syn::parse_file(source).unwrap_or_else(|e| panic!("{name}: {e}"));
            let mut collector = Collector {
                module: Module::default(),
                file,
                exported_macros: &mut exported_macros,
                refs: vec![],
                lines: code_lines(source),
                cursor: 0,
            };
            collector.visit_file(&ast);
            // `lib.rs` is the crate, `a.rs` and `a/mod.rs` are `a`, `a/b.rs` is `a::b`.
            let stem = name.trim_end_matches(".rs").trim_end_matches("/mod");
            let stem = if stem == "lib" { "" } else { stem };
            let mod_path: Vec<String> = stem.split_terminator('/').map(Into::into).collect();
            krate.modules.insert(mod_path.clone(), collector.module);
            krate.refs.push(collector.refs);
            krate.files.push(name.clone());
            krate.mod_paths.push(mod_path);
        }
        let root = krate.modules.entry(vec![]).or_default();
        for (name, file) in exported_macros {
            add(root, name, Entry::Def(file), true);
        }
        krate
    }

    /// What `path`, written in module `from`, names.
    fn resolve(&self, from: &[String], path: &[String], depth: usize) -> Option<Target> {
        if depth > 12 || path.is_empty() {
            return None;
        }
        let (mut module, rest) = match path[0].as_str() {
            "crate" | CRATE_NAME => (vec![], &path[1..]),
            "self" => (from.to_vec(), &path[1..]),
            "super" => {
                let ups = path.iter().take_while(|s| *s == "super").count();
                let parent = from.len().checked_sub(ups)?;
                (from[..parent].to_vec(), &path[ups..])
            }
            _ => (from.to_vec(), path),
        };
        for (i, name) in rest.iter().enumerate() {
            // Not found: another crate, std, a generic, a local variable.
            match self.lookup(&module, name, i + 1 == rest.len(), false, depth)? {
                Target::Module(m) => module = m,
                file => return Some(file),
            }
        }
        Some(Target::Module(module))
    }

    /// What `name` means in `module`: a module, or the file that defines the item.
    fn lookup(
        &self,
        module: &[String],
        name: &str,
        last: bool,
        only_pub: bool,
        depth: usize,
    ) -> Option<Target> {
        let m = self.modules.get(module)?;
        let entries = m
            .names
            .get(name)
            .into_iter()
            .flatten()
            .filter(|(_, public)| *public || !only_pub);
        let target = |(entry, _): &(Entry, bool)| match entry {
            Entry::Child => Some(Target::Module([module, &[name.to_string()]].concat())),
            Entry::Def(file) => Some(Target::File(*file)),
            Entry::Import(path) => self.resolve(module, path, depth + 1),
        };
        let mut found: Vec<Target> = entries.filter_map(target).collect();
        // `a` in `a::b` is a module if it can be; a path's last name is an item if it can be.
        found.sort_by_key(|target| matches!(target, Target::Module(_)) == last);
        found.into_iter().next().or_else(|| {
            let globs = m.globs.iter().filter(|(_, public)| *public || !only_pub);
            globs
                .filter_map(|(path, _)| self.resolve(module, path, depth + 1))
                .find_map(|glob| match glob {
                    Target::Module(g) => self.lookup(&g, name, last, true, depth + 1),
                    Target::File(_) => None,
                })
        })
    }

    /// The file dependency graph: `(from, to)` file indexes, with one path that makes each edge.
    fn edges(&self) -> BTreeMap<(usize, usize), String> {
        let mut edges = BTreeMap::new();
        for (a, refs) in self.refs.iter().enumerate() {
            let here = &self.mod_paths[a];
            for r in refs {
                let Some(Target::File(b)) = self.resolve(here, &r.path, 0) else {
                    continue;
                };
                let pass_through = r.reexport && self.mod_paths[b].starts_with(here);
                if b != a && !pass_through {
                    let example =
                        format!("{}:{} uses {}", self.files[a], r.line, r.path.join("::"));
                    edges.entry((a, b)).or_insert(example);
                }
            }
        }
        edges
    }
}

/// Collects one file's names and paths; skips inline modules and `#[cfg(test)]` items.
struct Collector<'a> {
    module: Module,
    file: usize,
    exported_macros: &'a mut Vec<(String, usize)>,
    refs: Vec<Ref>,
    lines: Vec<String>,
    /// The line of the last path found: paths are visited in source order.
    cursor: usize,
}

impl Collector<'_> {
    /// Records `path`, finding its line from the longest prefix of `written` that is in the text.
    fn add_ref(&mut self, path: Vec<String>, written: &[String], reexport: bool) {
        let line = (1..=written.len())
            .rev()
            .find_map(|n| find_line(&self.lines, &written[..n].join("::"), self.cursor));
        self.cursor = line.unwrap_or(self.cursor);
        self.refs.push(Ref {
            path,
            line: self.cursor + 1,
            reexport,
        });
    }

    fn use_tree(&mut self, tree: &UseTree, mut path: Vec<String>, public: bool) {
        let (ident, rename) = match tree {
            UseTree::Path(p) => {
                return self.use_tree(&p.tree, [path, vec![p.ident.to_string()]].concat(), public);
            }
            UseTree::Group(group) => {
                return group
                    .items
                    .iter()
                    .for_each(|t| self.use_tree(t, path.clone(), public));
            }
            UseTree::Glob(_) => return self.module.globs.push((path, public)),
            UseTree::Name(name) => (&name.ident, None),
            UseTree::Rename(rename) => (&rename.ident, Some(&rename.rename)),
        };
        if ident != "self" {
            path.push(ident.to_string());
        }
        if let Some(name) = rename
            .map(Ident::to_string)
            .or_else(|| path.last().cloned())
        {
            add(&mut self.module, name, Entry::Import(path.clone()), public);
        }
        self.add_ref(path, &[ident.to_string()], public);
    }
}

fn has_attr(attrs: &[Attribute], name: &str, arg: Option<&str>) -> bool {
    let arg_is = |a: &Attribute, arg| a.parse_args::<Ident>().is_ok_and(|i| i == arg);
    attrs
        .iter()
        .any(|a| a.path().is_ident(name) && arg.is_none_or(|arg| arg_is(a, arg)))
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item(&mut self, item: &'ast Item) {
        let private = Visibility::Inherited;
        let (name, vis, attrs): (Option<&Ident>, &Visibility, &[Attribute]) = match item {
            Item::Const(i) => (Some(&i.ident), &i.vis, &i.attrs),
            Item::Enum(i) => (Some(&i.ident), &i.vis, &i.attrs),
            Item::Fn(i) => (Some(&i.sig.ident), &i.vis, &i.attrs),
            Item::Impl(i) => (None, &private, &i.attrs),
            Item::Macro(i) => (i.ident.as_ref(), &private, &i.attrs),
            Item::Mod(i) => (Some(&i.ident), &i.vis, &i.attrs),
            Item::Static(i) => (Some(&i.ident), &i.vis, &i.attrs),
            Item::Struct(i) => (Some(&i.ident), &i.vis, &i.attrs),
            Item::Trait(i) => (Some(&i.ident), &i.vis, &i.attrs),
            Item::Type(i) => (Some(&i.ident), &i.vis, &i.attrs),
            Item::Union(i) => (Some(&i.ident), &i.vis, &i.attrs),
            Item::Use(i) => (None, &i.vis, &i.attrs),
            _ => (None, &private, &[]),
        };
        let (public, file) = (!matches!(vis, Visibility::Inherited), self.file);
        if has_attr(attrs, "cfg", Some("test")) {
            return;
        }
        match (item, name) {
            (Item::Use(u), _) => {
                let internal = matches!(&u.tree, UseTree::Path(p) if p.ident == CRATE_NAME);
                if u.leading_colon.is_none() || internal {
                    self.use_tree(&u.tree, vec![], public);
                }
            }
            // An inline module is an item of this file; its body is skipped.
            (Item::Mod(m), Some(name)) => {
                let entry = if m.content.is_none() {
                    Entry::Child
                } else {
                    Entry::Def(file)
                };
                add(&mut self.module, name.to_string(), entry, public);
            }
            (Item::Macro(_), Some(name)) if has_attr(attrs, "macro_export", None) => {
                self.exported_macros.push((name.to_string(), file));
                visit::visit_item(self, item);
            }
            _ => {
                if let Some(name) = name {
                    add(&mut self.module, name.to_string(), Entry::Def(file), public);
                }
                visit::visit_item(self, item);
            }
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.leading_colon.is_none() || segments[0] == CRATE_NAME {
            self.add_ref(segments.clone(), &segments, false);
        }
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        visit::visit_macro(self, mac);
        // Arguments that are expressions (`format!`), or items (a macro that defines a type).
        let args = Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        if let Ok(args) = mac.parse_body_with(args) {
            args.iter().for_each(|arg| self.visit_expr(arg));
        } else if let Ok(file) = mac.parse_body::<syn::File>() {
            file.items.iter().for_each(|item| self.visit_item(item));
        }
    }
}

/// The source's lines without `//` comments, which name paths too (doc links).
fn code_lines(source: &str) -> Vec<String> {
    source
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default().to_string())
        .collect()
}

/// The first line, from `from` on and then wrapping around, where `needle` is a whole path.
fn find_line(lines: &[String], needle: &str, from: usize) -> Option<usize> {
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let whole = |line: &str, at: usize| {
        !ident(line[..at].chars().last()) && !ident(line[at + needle.len()..].chars().next())
    };
    let found = |n: &usize| {
        lines[*n]
            .match_indices(needle)
            .any(|(at, _)| whole(&lines[*n], at))
    };
    (from..lines.len()).chain(0..from).find(found)
}

/// The shortest path from `from` to `to`, both included.
fn shortest_path(next: &[Vec<usize>], from: usize, to: usize) -> Option<Vec<usize>> {
    let mut seen = HashSet::from([from]);
    let mut queue = VecDeque::from([vec![from]]);
    while let Some(path) = queue.pop_front() {
        let last = *path.last().unwrap();
        if last == to {
            return Some(path);
        }
        for &b in next[last].iter().filter(|&&b| seen.insert(b)) {
            queue.push_back([&path[..], &[b]].concat());
        }
    }
    None
}

/// One cycle through each edge that lies on a cycle, shortest first, each as
/// `a.rs -> b.rs -> a.rs` and then a line per edge naming a path that makes it.
fn module_cycles(sources: &[(String, String)]) -> Vec<String> {
    let krate = Crate::parse(sources);
    let edges = krate.edges();
    let mut next = vec![vec![]; sources.len()];
    edges.keys().for_each(|&(a, b)| next[a].push(b));
    let mut covered = HashSet::new();
    let mut cycles = vec![];
    for &(a, b) in edges.keys() {
        if let Some(back) = shortest_path(&next, b, a).filter(|_| !covered.contains(&(a, b))) {
            let cycle: Vec<usize> = [a].into_iter().chain(back).collect();
            covered.extend(cycle.windows(2).map(|w| (w[0], w[1])));
            cycles.push(cycle);
        }
    }
    cycles.sort_by_key(Vec::len);
    let name = |file: &usize| krate.files[*file].as_str();
    let show = |cycle: Vec<usize>| {
        let step = |w: &[usize]| {
            format!(
                "\n    {} -> {}: {}",
                name(&w[0]),
                name(&w[1]),
                edges[&(w[0], w[1])]
            )
        };
        let steps = cycle.windows(2).map(step);
        cycle.iter().map(name).collect::<Vec<_>>().join(" -> ") + &steps.collect::<String>()
    };
    cycles.into_iter().map(show).collect()
}

#[test]
fn no_module_cycles_in_runtime_src() {
    fn read(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                read(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let name = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = vec![];
    read(&src, &src, &mut sources);
    sources.sort();
    let cycles = module_cycles(&sources);
    assert!(
        cycles.is_empty(),
        "{} module cycle(s) in xpander-runtime/src (DESIGN: no module imports one that imports it \
         back). Break each by removing one of its edges, e.g. by moving the item used into a \
         module that both sides can import:\n\n{}\n",
        cycles.len(),
        cycles.join("\n\n"),
    );
}

/// A crate written as one text: each file starts with a `--- path` line.
fn sources(text: &str) -> Vec<(String, String)> {
    let file = |f: &str| {
        f.split_once('\n')
            .map(|(name, src)| (name.into(), src.into()))
    };
    text.split("--- ").filter_map(file).collect()
}

#[test]
fn a_re_export_resolves_to_the_defining_file_and_makes_no_cycle() {
    let files = sources(
        "--- lib.rs
mod config;
mod error;
pub use config::Config;
pub use error::{Error, Result};
--- error.rs
pub struct Error;
pub type Result<T> = std::result::Result<T, Error>;
--- config.rs
use crate::Error;
pub struct Config;
fn load() -> crate::Result<Config> { Err(Error) }
",
    );
    let edges: Vec<String> = Crate::parse(&files).edges().into_values().collect();
    assert_eq!(edges, ["config.rs:1 uses crate::Error"]);
    assert_eq!(module_cycles(&files), Vec::<String>::new());
}

#[test]
fn two_file_cycles_are_found_through_aliases_globs_macros_and_the_crate_name() {
    let files = sources(
        "--- lib.rs
extern crate self as xpander_runtime;
pub mod model;
mod runner;
--- model/mod.rs
mod task;
pub use task::*;
pub struct Id;
fn f() { let _ = task::Task; }
--- model/task.rs
pub struct Task(super::Id);
fn f() { ::xpander_runtime::start!() }
--- runner.rs
use crate::model;
#[macro_export]
macro_rules! start { () => {} }
fn g(_: model::Task) {}
",
    );
    let cycles = module_cycles(&files).join("\n");
    let expected = "model/mod.rs -> model/task.rs -> model/mod.rs
    model/mod.rs -> model/task.rs: model/mod.rs:4 uses task::Task
    model/task.rs -> model/mod.rs: model/task.rs:1 uses super::Id
model/task.rs -> runner.rs -> model/task.rs
    model/task.rs -> runner.rs: model/task.rs:2 uses xpander_runtime::start
    runner.rs -> model/task.rs: runner.rs:4 uses model::Task";
    assert_eq!(cycles, expected);
}
