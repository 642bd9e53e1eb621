// What a project bundling with esbuild's --loader:.wasm=file declares (README, "### esbuild").
declare module '*.wasm' {
  const url: string;
  export default url;
}
