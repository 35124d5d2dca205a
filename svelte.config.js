// Svelte 5 with TypeScript in <script lang="ts"> (handled natively by the Svelte compiler).
export default {};
