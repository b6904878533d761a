//! A Turtle file as a small in-memory graph (read with `oxttl`), kept in document order.

use std::path::Path;

use oxrdf::{NamedOrBlankNode, Term};

pub const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
pub const ODRL: &str = "http://www.w3.org/ns/odrl/2/";
pub const REPORT: &str = "https://w3id.org/force/compliance-report#";
pub const EX: &str = "http://example.org/";

/// A node: an IRI, a blank node or a literal with its datatype.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Iri(String),
    Blank(String),
    Literal { value: String, datatype: String },
}

impl Node {
    pub fn iri(&self) -> Option<&str> {
        match self {
            Node::Iri(iri) => Some(iri),
            _ => None,
        }
    }

    /// The IRI or blank node label (what a subject is looked up by).
    pub fn key(&self) -> &str {
        match self {
            Node::Iri(key) | Node::Blank(key) => key,
            Node::Literal { value, .. } => value,
        }
    }
}

pub struct Graph {
    pub file: String,
    triples: Vec<(String, String, Node)>,
}

impl Graph {
    pub fn load(path: &Path) -> Graph {
        let text = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut triples = Vec::new();
        for triple in oxttl::TurtleParser::new().for_slice(&text) {
            let triple = triple.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let subject = match triple.subject {
                NamedOrBlankNode::NamedNode(n) => n.into_string(),
                NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
            };
            let object = match triple.object {
                Term::NamedNode(n) => Node::Iri(n.into_string()),
                Term::BlankNode(b) => Node::Blank(format!("_:{}", b.as_str())),
                Term::Literal(l) => {
                    Node::Literal { value: l.value().to_owned(), datatype: l.datatype().as_str().to_owned() }
                }
            };
            triples.push((subject, triple.predicate.into_string(), object));
        }
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Graph { file, triples }
    }

    /// Every object of `subject predicate ?`, in document order.
    pub fn objects(&self, subject: &str, predicate: &str) -> Vec<&Node> {
        self.triples.iter().filter(|(s, p, _)| s == subject && p == predicate).map(|(_, _, o)| o).collect()
    }

    pub fn object(&self, subject: &str, predicate: &str) -> Option<&Node> {
        self.objects(subject, predicate).into_iter().next()
    }

    pub fn iri(&self, subject: &str, predicate: &str) -> Option<String> {
        self.object(subject, predicate).and_then(Node::iri).map(str::to_owned)
    }

    /// Every `? predicate object` subject.
    pub fn subjects(&self, predicate: &str, object: &Node) -> Vec<&str> {
        self.triples.iter().filter(|(_, p, o)| p == predicate && o == object).map(|(s, _, _)| s.as_str()).collect()
    }

    pub fn has_type(&self, subject: &str, class: &str) -> bool {
        self.objects(subject, RDF_TYPE).iter().any(|o| o.iri() == Some(class))
    }

    /// Every subject of type `class`, in document order.
    pub fn of_type(&self, class: &str) -> Vec<&str> {
        let mut found = self.subjects(RDF_TYPE, &Node::Iri(class.to_owned()));
        found.dedup();
        found
    }

    pub fn triples(&self) -> impl Iterator<Item = (&str, &str, &Node)> {
        self.triples.iter().map(|(s, p, o)| (s.as_str(), p.as_str(), o))
    }
}

/// Every graph in a folder of the suite, by file name order.
pub fn load_dir(dir: &Path) -> Vec<Graph> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ttl"))
        .collect();
    paths.sort();
    paths.iter().map(|path| Graph::load(path)).collect()
}
