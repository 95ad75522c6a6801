import ArgumentParser

/// `scenophone sources …`: list, add, remove and adjust a corpus's sources.
struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "List, add, remove, weight or mute the sources of a corpus.",
        discussion: """
            Every change is atomic: it is written beside the corpus and made visible at once \
            (a new manifest renamed over the old one), so an interrupted command leaves the \
            corpus as it was. Adding a source embeds only the new one.
            """,
        subcommands: [
            SourcesListCommand.self, SourcesAddCommand.self, SourcesRemoveCommand.self,
            SourcesSetCommand.self,
        ])
}
