// What every part of the console reads: who is viewing, their scoped snapshot, the schema's
// listing, and `perform`, which sends an action to the server. Provided by ./Console.jsx.
import { createContext, useContext } from 'react';

export const ConsoleContext = createContext(null);

export function useConsole() {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole() needs the <Console> above it');
  return value;
}
