// Host: what the program running the language (lfr-repl, a test, a bench)
// supplies to the bindings, and what the bindings hand back to it.
//
// What stays true here: the bindings never look at the terminal, never
// print progress themselves and keep no global state. Training progress
// goes to `showProgress` as a plain `ProgressReport` (the host decides how
// it looks); the script source copied into run folders is the host's
// `scriptSource`; what an interrupt during `train`/`compare` means is the
// host's `interruptPausesOnly`.
import Data
import Schedules

/// One progress report of a training run, for the host to show.
public struct ProgressReport: Sendable {
    /// compare()'s run ("random seed 2"); nil for train().
    public var label: String?
    /// 1-based phase number, phase count and the phase's name.
    public var phase: Int
    public var phaseCount: Int
    public var phaseName: String
    public var step: Int
    public var tokens: Int
    /// Tokens of the whole run when known in advance.
    public var totalTokens: Int?
    /// Latest training loss.
    public var loss: Double
    public var valPpl: Double?
    public var tokensPerSecond: Double
    public var secondsLeft: Double?
    /// True for the report that closes a phase or the run.
    public var isMilestone: Bool
    /// What the milestone was ("phase learn done", "finished").
    public var message: String?
    /// The run's log_every: a host writing plain log lines writes one every this many steps.
    public var logEvery: Int

    init(_ p: Progress, label: String?, logEvery: Int) {
        self.label = label
        phase = p.phaseIndex + 1; phaseCount = p.phaseCount; phaseName = p.phaseName
        step = p.step; tokens = p.tokens; totalTokens = p.totalTokens
        loss = Double(p.loss); valPpl = p.valPpl
        tokensPerSecond = p.tokensPerSecond; secondsLeft = p.secondsLeft
        isMilestone = p.isMilestone; message = p.message
        self.logEvery = max(1, logEvery)
    }
}

/// A plot a binding made (plot, hist, compare), for a host that keeps a
/// record of the run (a report): the drawing as an SVG document.
public struct PlotArtifact: Sendable {
    public enum Kind: String, Sendable { case plot, hist, compare }
    public var kind: Kind
    public var title: String?
    public var svg: String
    /// The text the binding printed for this plot (its terminal drawing),
    /// which a report shows as the SVG instead; nil when none was printed.
    public var printed: String?

    public init(kind: Kind, title: String?, svg: String, printed: String?) {
        self.kind = kind; self.title = title; self.svg = svg; self.printed = printed
    }
}

/// The host's side of the bindings (see the file header). One per interpreter.
public final class LibraryHost {
    /// Shows a training run's progress; nil shows nothing.
    public var showProgress: ((ProgressReport) -> Void)?
    /// Called once a report line will no longer be redrawn (before other output).
    public var endProgress: (() -> Void)?
    /// true (the prompt): an interrupt pauses the run, `train` returns it and
    /// the interrupt is handled. false (a batch script): the run pauses and
    /// checkpoints, and the interrupt stays pending, so the script stops at
    /// its next statement.
    public var interruptPausesOnly = true
    /// The source of the script being run (train() copies it into run folders).
    public var scriptSource: String?
    /// True when output goes to a colour terminal (a TTY, NO_COLOR unset):
    /// compare() and plot() then colour their curves.
    public var colour = false
    /// Told of every plot made (nil: plots are not recorded, and a terminal
    /// plot costs no SVG).
    public var plotMade: ((PlotArtifact) -> Void)?
    /// Told of the data files a binding read (corpus, dataset, tokenizer and
    /// token files), by path, once each time they are read.
    public var dataFilesRead: (([String]) -> Void)?

    public init() {}

    /// `corpus`, after telling `dataFilesRead` the files it was read from.
    func noting(_ corpus: Corpus) -> Corpus {
        dataFilesRead?(corpus.documents.map(\.name))
        return corpus
    }
}
