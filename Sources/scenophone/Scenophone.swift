import ArgumentParser

/// The `scenophone` command line: one subcommand per job, each in its own file under `Commands/`.
@main
struct Scenophone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenophone",
        abstract: "Turn what a camera sees into a soundscape, in real time.",
        discussion: """
            Scenophone embeds the frames of reference videos (a river, a café, birds) with an \
            ImageNet CNN, keeps their audio beside the embeddings, and plays grains of that audio \
            chosen by how close each corpus frame looks to what the camera sees now.
            """,
        version: "0.1.0",
        subcommands: [
            IndexCommand.self, InfoCommand.self, SourcesCommand.self, TeachCommand.self, RenderCommand.self,
            MergeCommand.self, DemoCommand.self,
            LiveCommand.self, ServeCommand.self, ClassifyCommand.self,
            EvaluateCommand.self,
        ])
}
