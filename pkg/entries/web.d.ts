export { default, initSync } from '../dist/orgwarden.js';
export * from '../dist/orgwarden.js';
